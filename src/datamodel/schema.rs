//! How an area declares its part of the tree, once: objects with their TR-181 path patterns
//! and parameters with type, access and flags (TR-106 §3.2–3.4, TR-069 A.3.2.4).

use super::value::Type;

/// Whether the ACS may write a parameter, or add/delete instances of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

impl Access {
    pub fn tr106_name(self) -> &'static str {
        match self {
            Access::ReadOnly => "readOnly",
            Access::ReadWrite => "readWrite",
        }
    }
}

/// The `activeNotify` attribute of a parameter (TR-106 §3.4, TR-069 A.3.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActiveNotify {
    /// Any notification may be set; default off.
    #[default]
    Normal,
    /// The CPE may refuse active notification (e.g. counters, UpTime): cwmpd refuses it (9009).
    CanDeny,
    /// Active notification is always on and cannot be turned off.
    ForceEnabled,
    /// Active notification is on by default; the ACS may change it.
    ForceDefaultEnabled,
}

impl ActiveNotify {
    /// The TSV/DM Schema spelling (`canDeny`, …), `None` for normal.
    pub fn tr106_name(self) -> Option<&'static str> {
        match self {
            ActiveNotify::Normal => None,
            ActiveNotify::CanDeny => Some("canDeny"),
            ActiveNotify::ForceEnabled => Some("forceEnabled"),
            ActiveNotify::ForceDefaultEnabled => Some("forceDefaultEnabled"),
        }
    }

    /// The notification a parameter has when the ACS never set one (TR-069 A.3.2.4).
    pub fn default_notification(self) -> u8 {
        match self {
            ActiveNotify::ForceEnabled | ActiveNotify::ForceDefaultEnabled => 2,
            _ => 0,
        }
    }
}

/// One parameter of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDef {
    /// The last path segment, e.g. `PeriodicInformInterval`.
    pub name: &'static str,
    pub ty: Type,
    pub access: Access,
    /// Always sent in every Inform (TR-069 §3.7.1.5 / A.3.3.1).
    pub forced_inform: bool,
    pub active_notify: ActiveNotify,
    /// Reads back as the null value (`""` for strings), e.g. passwords (TR-106 `hidden`).
    pub hidden: bool,
}

impl ParamDef {
    pub const fn read_only(name: &'static str, ty: Type) -> ParamDef {
        ParamDef {
            name,
            ty,
            access: Access::ReadOnly,
            forced_inform: false,
            active_notify: ActiveNotify::Normal,
            hidden: false,
        }
    }

    pub const fn read_write(name: &'static str, ty: Type) -> ParamDef {
        let mut def = ParamDef::read_only(name, ty);
        def.access = Access::ReadWrite;
        def
    }

    pub const fn forced_inform(mut self) -> ParamDef {
        self.forced_inform = true;
        self
    }

    pub const fn active_notify(mut self, active_notify: ActiveNotify) -> ParamDef {
        self.active_notify = active_notify;
        self
    }

    pub const fn hidden(mut self) -> ParamDef {
        self.hidden = true;
        self
    }

    pub fn writable(&self) -> bool {
        self.access == Access::ReadWrite
    }
}

/// One object: `Device.ManagementServer.` (single instance) or `Device.IP.Interface.{i}.`
/// (multi-instance; its `access` says whether the ACS may AddObject/DeleteObject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectDef {
    /// The path pattern, ending in a dot, with `{i}` for each instance number.
    pub path: &'static str,
    pub access: Access,
    pub params: Vec<ParamDef>,
    /// A table that TR-181 gives an `Alias` (most do; result tables such as
    /// `TraceRoute.RouteHops.{i}.` do not). Ignored for single-instance objects.
    pub has_alias: bool,
}

impl ObjectDef {
    /// A single-instance object (or a read-only table, when `path` ends in `{i}.`).
    pub fn new(path: &'static str) -> ObjectDef {
        ObjectDef {
            path,
            access: Access::ReadOnly,
            params: Vec::new(),
            has_alias: true,
        }
    }

    /// A table without `Alias` in TR-181 (diagnostics results and similar read-only lists).
    pub fn without_alias(mut self) -> ObjectDef {
        self.has_alias = false;
        self
    }

    /// A multi-instance object whose instances the ACS may add and delete.
    pub fn writable_table(path: &'static str) -> ObjectDef {
        ObjectDef {
            access: Access::ReadWrite,
            ..ObjectDef::new(path)
        }
    }

    pub fn param(mut self, def: ParamDef) -> ObjectDef {
        self.params.push(def);
        self
    }

    /// True for a multi-instance object (its pattern ends in `{i}.`).
    pub fn is_multi_instance(&self) -> bool {
        self.path.ends_with(".{i}.")
    }
}
