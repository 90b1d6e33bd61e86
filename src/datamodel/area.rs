//! The interface between the generic engine and one TR-181 area (OBUSPA's "one file per area
//! over a generic engine").
//!
//! An [`Area`] declares its objects and parameters once ([`Area::schema`]). For each RPC the
//! engine opens at most one [`AreaView`] per area ([`Area::open`]): that is where an area loads
//! its backends (e.g. reads its UCI package once) and from which it then answers every
//! parameter of the RPC. A view is dropped at the end of the RPC.
//!
//! Instance numbers of multi-instance objects come from the area, which keeps them stable in
//! the context's [`super::instances::InstanceTables`] (persisted by the daemon, keyed by
//! backend identity such as a UCI section name). The engine never invents them. Each table's
//! `Alias` (TR-069 §3.6.1) is the engine's, not the area's: see [`super::alias`]. Areas name
//! a table in the instance tables by its pattern with the enclosing instance numbers filled
//! in (`Device.DHCPv4.Server.Pool.1.StaticAddress.{i}.`), which is where the aliases live.

use super::context::Context;
use super::error::Error;
use super::schema::ObjectDef;
use super::transaction::Transaction;
use super::value::Value;

/// A parameter as the engine asks an area about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamRef<'a> {
    /// The object's path pattern as declared, e.g. `Device.ManagementServer.`.
    pub object: &'static str,
    /// The parameter's name, e.g. `URL`.
    pub name: &'static str,
    /// The instance number for each `{i}` of `object`, outermost first.
    pub instances: &'a [u32],
}

/// A multi-instance object (table) as the engine asks an area about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectRef<'a> {
    /// The table's path pattern as declared, e.g. `Device.IP.Interface.{i}.`.
    pub object: &'static str,
    /// Instance numbers of the enclosing tables (for `instances`, `add_instance`), or of the enclosing tables plus the instance itself (for
    /// `delete_instance`).
    pub instances: &'a [u32],
}

/// One TR-181 area: its schema and a way to open a view on its state. Areas are `Send` so the
/// engine can live in any task; views are per RPC and need not be.
pub trait Area: Send {
    /// The objects (in tree order, parents first) and parameters this area serves.
    fn schema(&self) -> Vec<ObjectDef>;

    /// Load what the area needs for one RPC. Called at most once per area per RPC, and only
    /// when the RPC touches the area.
    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error>;
}

/// An area's state for the duration of one RPC.
///
/// Errors a view returns about a parameter may leave the name empty (`Error::invalid_value("",
/// …)`): the engine fills in the full path.
pub trait AreaView {
    /// The current value of a parameter. Hidden parameters may return their real value; the
    /// engine reads them back as the null value.
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error>;

    /// Validate a new value (already type- and facet-checked by the engine) and stage the
    /// backend writes it implies in `tx`. Must not change anything itself: the engine applies
    /// `tx` only when every parameter of the SetParameterValues is valid.
    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let _ = (ctx, param, value, tx);
        Err(Error::not_writable(""))
    }

    /// Called once on every view opened by a SetParameterValues after each of its parameters
    /// was staged without error: check constraints that span several parameters (e.g.
    /// MinAddress ≤ MaxAddress) and stage writes that depend on several of them (e.g. one UCI
    /// list several parameters map onto). Errors must name their parameter with its full
    /// path (they become SetParameterValuesFault entries); nothing has been applied yet.
    fn finish_set(&mut self, ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        let _ = (ctx, tx);
        Ok(())
    }

    /// Whether an instance is a row the CPE owns — learnt from a protocol or the kernel
    /// (a DHCP address, a kernel route) in a table whose other rows are writable. Such rows
    /// answer writes with 9008 and DeleteObject with 9001; GetParameterNames then reports
    /// them and their parameters (but Alias) as not writable (TR-069 A.3.2.3).
    fn read_only_instance(&mut self, ctx: &mut Context<'_>, instance: ObjectRef<'_>) -> bool {
        let _ = (ctx, instance);
        false
    }

    /// The instance numbers of a table, ascending.
    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let _ = (ctx, table);
        Ok(Vec::new())
    }

    /// Stage the creation of a new instance in `tx` and return its number (never reused).
    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let _ = (ctx, table, tx);
        Err(Error::RequestDenied(
            "this table does not support AddObject".into(),
        ))
    }

    /// Stage the deletion of an instance in `tx`.
    fn delete_instance(
        &mut self,
        ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let _ = (ctx, instance, tx);
        Err(Error::RequestDenied(
            "this table does not support DeleteObject".into(),
        ))
    }
}
