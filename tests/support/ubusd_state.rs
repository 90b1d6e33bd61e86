//! The test ubusd's bus state and what it does with each message, after ubusd's
//! `ubusd_proto.c` and `ubusd_event.c`: lookups, objects, invokes routed between clients,
//! replies routed back by object id, events and subscriptions.

use super::ubus_wire::{self as wire, BlobBuf, Msg};
use super::ubusd::CallReply;
use super::ubusd_fakes as fakes;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc as std_mpsc;
use tokio::sync::mpsc;

/// ubusd's event object.
pub const EVENT_OBJECT: u32 = 1;
/// The peer id ubusd's own calls and notifications come from (real ids are ≥ 1024).
pub const OWN_PEER: u32 = 2;
pub const MAX_MESSAGE: usize = 1024 * 1024;

pub const OK: u32 = 0;
pub const INVALID_COMMAND: u32 = 1;
pub const INVALID_ARGUMENT: u32 = 2;
pub const NOT_FOUND: u32 = 4;
pub const PERMISSION_DENIED: u32 = 6;

/// ubusd's patterns: exact, or a prefix ending in `*`.
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

pub enum Owner {
    Client(u32),
    Fake,
}

pub struct Object {
    pub path: Option<String>,
    pub owner: Owner,
    pub type_id: u32,
    pub signature: Option<Map<String, Value>>,
}

#[derive(Default)]
pub struct State {
    pub clients: HashMap<u32, mpsc::UnboundedSender<Vec<u8>>>,
    pub objects: HashMap<u32, Object>,
    pub paths: BTreeMap<String, u32>,
    /// (listening object, pattern)
    pub listeners: Vec<(u32, String)>,
    /// (target, subscriber)
    pub subscriptions: Vec<(u32, u32)>,
    pub calls: HashMap<(String, String), usize>,
    pub hung: HashSet<(String, String)>,
    /// (object, fixture name) → the reply a test put in place of the fixture's.
    pub replies: HashMap<(String, String), Map<String, Value>>,
    pub own_calls: HashMap<u16, (std_mpsc::Sender<CallReply>, Vec<Value>)>,
    pub seq: u16,
    pub next_id: u32,
}

impl State {
    pub fn new_id(&mut self) -> u32 {
        // Like ubusd: random 32-bit ids above the system range, so half are > i32::MAX.
        loop {
            self.next_id = self
                .next_id
                .wrapping_mul(1_103_515_245)
                .wrapping_add(0x9e37_79b9);
            let id = self.next_id;
            if id >= 1024 && !self.objects.contains_key(&id) && !self.clients.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn send(&self, client: u32, kind: u8, seq: u16, peer: u32, attrs: BlobBuf) {
        if let Some(frames) = self.clients.get(&client) {
            let _ = frames.send(wire::message(kind, seq, peer, attrs));
        }
    }

    /// STATUS echoing the request's seq and peer.
    pub fn status(&self, client: u32, msg: &Msg, code: u32) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_STATUS, code);
        self.send(client, wire::STATUS, msg.seq, msg.peer, attrs);
    }

    pub fn add_object(
        &mut self,
        path: Option<String>,
        owner: Owner,
        signature: Option<Map<String, Value>>,
    ) -> u32 {
        let id = self.new_id();
        let type_id = if signature.is_some() {
            self.new_id()
        } else {
            0
        };
        if let Some(path) = &path {
            self.paths.insert(path.clone(), id);
            let event = serde_json::json!({"id": id, "path": path});
            self.broadcast(
                None,
                "ubus.object.add",
                event.as_object().unwrap_or(&Map::new()),
            );
        }
        let object = Object {
            path,
            owner,
            type_id,
            signature,
        };
        self.objects.insert(id, object);
        id
    }

    pub fn remove_object(&mut self, id: u32) {
        let Some(object) = self.objects.remove(&id) else {
            return;
        };
        for (target, subscriber) in self.subscriptions.clone() {
            if target == id {
                let mut attrs = BlobBuf::default();
                attrs.put_u32(wire::A_OBJID, subscriber);
                attrs.put_u32(wire::A_TARGET, id);
                if let Some(Owner::Client(owner)) = self.objects.get(&subscriber).map(|o| &o.owner)
                {
                    self.send(*owner, wire::UNSUBSCRIBE, 0, 0, attrs);
                }
            }
        }
        self.subscriptions.retain(|(t, s)| *t != id && *s != id);
        self.listeners.retain(|(object, _)| *object != id);
        if let Some(path) = object.path {
            self.paths.remove(&path);
            let event = serde_json::json!({"id": id, "path": path});
            self.broadcast(
                None,
                "ubus.object.remove",
                event.as_object().unwrap_or(&Map::new()),
            );
        }
    }

    pub fn describe(&self, id: u32) -> BlobBuf {
        let mut attrs = BlobBuf::default();
        let object = &self.objects[&id];
        attrs.put_string(wire::A_OBJPATH, object.path.as_deref().unwrap_or_default());
        attrs.put_u32(wire::A_OBJID, id);
        attrs.put_u32(wire::A_OBJTYPE, object.type_id);
        attrs.put_table(
            wire::A_SIGNATURE,
            object.signature.as_ref().unwrap_or(&Map::new()),
        );
        attrs
    }

    pub fn lookup(&self, client: u32, msg: &Msg) -> Option<u32> {
        let pattern = msg.string(wire::A_OBJPATH);
        let found: Vec<u32> = match pattern.as_deref() {
            None => self.paths.values().copied().collect(),
            Some(pattern) => self
                .paths
                .iter()
                .filter(|(path, _)| matches(pattern, path))
                .map(|(_, id)| *id)
                .collect(),
        };
        for id in &found {
            self.send(client, wire::DATA, msg.seq, msg.peer, self.describe(*id));
        }
        Some(if found.is_empty() && pattern.is_some() {
            NOT_FOUND
        } else {
            OK
        })
    }

    pub fn add_client_object(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let path = msg.string(wire::A_OBJPATH);
        if path.as_ref().is_some_and(|p| self.paths.contains_key(p)) {
            return Some(INVALID_ARGUMENT);
        }
        let signature = msg
            .attrs
            .contains_key(&wire::A_SIGNATURE)
            .then(|| msg.table(wire::A_SIGNATURE).unwrap_or_default());
        let has_signature = signature.is_some();
        let id = self.add_object(path, Owner::Client(client), signature);
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, id);
        if has_signature {
            attrs.put_u32(wire::A_OBJTYPE, self.objects[&id].type_id);
        }
        self.send(client, wire::DATA, msg.seq, msg.peer, attrs);
        Some(OK)
    }

    pub fn owned_by(&self, id: u32, client: u32) -> bool {
        matches!(self.objects.get(&id), Some(Object { owner: Owner::Client(c), .. }) if *c == client)
    }

    pub fn remove_client_object(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let id = msg.u32(wire::A_OBJID)?;
        if !self.owned_by(id, client) {
            return Some(PERMISSION_DENIED);
        }
        self.remove_object(id);
        Some(OK)
    }

    pub fn invoke(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(id), Some(method)) = (msg.u32(wire::A_OBJID), msg.string(wire::A_METHOD)) else {
            return Some(INVALID_ARGUMENT);
        };
        let raw_args = msg.attrs.get(&wire::A_DATA).cloned().unwrap_or_default();
        let args = msg.table(wire::A_DATA).unwrap_or_default();
        if id == EVENT_OBJECT {
            return Some(self.event_method(client, &method, &args, &raw_args));
        }
        let Some(object) = self.objects.get(&id) else {
            return Some(NOT_FOUND);
        };
        let path = object.path.clone().unwrap_or_default();
        *self
            .calls
            .entry((path.clone(), method.clone()))
            .or_default() += 1;
        if self.hung.contains(&(path.clone(), method.clone())) {
            return None;
        }
        match object.owner {
            Owner::Fake if path == fakes::PROCD_SERVICE && method == "event" => {
                Some(self.procd_service_event(id, &args))
            }
            Owner::Fake => match self.replaced(&path, &method, &args) {
                Ok(data) => {
                    self.reply_data(client, msg.seq, id, id, &data);
                    self.reply_status(client, msg.seq, id, id, OK);
                    None
                }
                Err(code) => Some(code),
            },
            Owner::Client(owner) => {
                self.forward_invoke(owner, msg.seq, client, id, &method, &args, false);
                None
            }
        }
    }

    /// procd's `service event` (what `reload_config` and LuCI's apply call): for
    /// `config.change` it notifies the subscribers of `service` with `{"config": PACKAGE}`
    /// (procd's service/service.c, `service_handle_event`).
    fn procd_service_event(&mut self, service: u32, args: &Map<String, Value>) -> u32 {
        let (Some(kind), Some(Value::Object(data))) =
            (args.get("type").and_then(Value::as_str), args.get("data"))
        else {
            return INVALID_ARGUMENT;
        };
        if let ("config.change", Some(package)) = (kind, data.get("package")) {
            let mut notice = Map::new();
            notice.insert("config".into(), package.clone());
            self.forward_notify(service, OWN_PEER, 0, kind, &notice, true);
        }
        OK
    }

    /// A test's replacement reply, else the fixture's answer.
    fn replaced(
        &self,
        path: &str,
        method: &str,
        args: &Map<String, Value>,
    ) -> Result<Map<String, Value>, u32> {
        let name = match args.get("device").and_then(Value::as_str) {
            Some(device) => format!("{method}.{device}"),
            None => method.to_string(),
        };
        match self.replies.get(&(path.to_string(), name)) {
            Some(reply) => Ok(reply.clone()),
            None => fakes::answer(path, method, args),
        }
    }

    pub fn reply_data(
        &self,
        client: u32,
        seq: u16,
        peer: u32,
        object: u32,
        data: &Map<String, Value>,
    ) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, object);
        attrs.put_table(wire::A_DATA, data);
        self.send(client, wire::DATA, seq, peer, attrs);
    }

    pub fn reply_status(&self, client: u32, seq: u16, peer: u32, object: u32, code: u32) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_STATUS, code);
        attrs.put_u32(wire::A_OBJID, object);
        self.send(client, wire::STATUS, seq, peer, attrs);
    }

    /// INVOKE {OBJID, METHOD, DATA} to an object's owner, with the caller as peer.
    #[allow(clippy::too_many_arguments)]
    pub fn forward_invoke(
        &self,
        owner: u32,
        seq: u16,
        caller: u32,
        object: u32,
        method: &str,
        args: &Map<String, Value>,
        no_reply: bool,
    ) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, object);
        attrs.put_string(wire::A_METHOD, method);
        attrs.put_table(wire::A_DATA, args);
        if no_reply {
            attrs.put(wire::A_NO_REPLY, &[1]);
        }
        self.send(owner, wire::INVOKE, seq, caller, attrs);
    }

    /// DATA / STATUS from an object's owner: routed to the caller (`peer`) with the object
    /// id as peer, as ubusd does.
    pub fn response(&mut self, client: u32, msg: &Msg) {
        let Some(object) = msg.u32(wire::A_OBJID) else {
            return;
        };
        if !self.owned_by(object, client) {
            return;
        }
        if msg.peer == OWN_PEER {
            return self.own_call_response(msg);
        }
        if let Some(frames) = self.clients.get(&msg.peer) {
            let mut attrs = BlobBuf::default();
            for (id, payload) in &msg.attrs {
                attrs.put(*id, payload);
            }
            let _ = frames.send(wire::message(msg.kind, msg.seq, object, attrs));
        }
    }

    pub fn own_call(
        &mut self,
        path: &str,
        method: &str,
        args: &Map<String, Value>,
        reply: std_mpsc::Sender<CallReply>,
    ) {
        let Some(id) = self.paths.get(path).copied() else {
            let _ = reply.send(CallReply {
                status: NOT_FOUND,
                data: vec![],
            });
            return;
        };
        *self
            .calls
            .entry((path.to_string(), method.to_string()))
            .or_default() += 1;
        match self.objects[&id].owner {
            Owner::Fake if path == fakes::PROCD_SERVICE && method == "event" => {
                let status = self.procd_service_event(id, args);
                let _ = reply.send(CallReply {
                    status,
                    data: vec![],
                });
            }
            Owner::Fake => {
                let answer = fakes::answer(path, method, args);
                let _ = reply.send(match answer {
                    Ok(data) => CallReply {
                        status: OK,
                        data: vec![Value::Object(data)],
                    },
                    Err(status) => CallReply {
                        status,
                        data: vec![],
                    },
                });
            }
            Owner::Client(owner) => {
                self.seq = self.seq.wrapping_add(1);
                self.own_calls.insert(self.seq, (reply, Vec::new()));
                self.forward_invoke(owner, self.seq, OWN_PEER, id, method, args, false);
            }
        }
    }

    pub fn own_call_response(&mut self, msg: &Msg) {
        if msg.kind == wire::DATA {
            if let (Some(call), Some(data)) =
                (self.own_calls.get_mut(&msg.seq), msg.table(wire::A_DATA))
            {
                call.1.push(Value::Object(data));
            }
        } else if let Some((reply, data)) = self.own_calls.remove(&msg.seq) {
            let status = msg.u32(wire::A_STATUS).unwrap_or(u32::MAX);
            let _ = reply.send(CallReply { status, data });
        }
    }

    /// The event object's `register` and `send`.
    pub fn event_method(
        &mut self,
        client: u32,
        method: &str,
        args: &Map<String, Value>,
        raw: &[u8],
    ) -> u32 {
        match method {
            "register" => {
                // ubusd's policy wants `object` as an INT32 (blobmsg_add_u32).
                if wire::blobmsg_kinds(raw).get("object") != Some(&5) {
                    return INVALID_ARGUMENT;
                }
                let (Some(object), Some(pattern)) = (
                    args["object"].as_i64(),
                    args.get("pattern").and_then(Value::as_str),
                ) else {
                    return INVALID_ARGUMENT;
                };
                let object = object as i32 as u32;
                if !self.objects.contains_key(&object) {
                    return NOT_FOUND;
                }
                if !self.owned_by(object, client) {
                    return PERMISSION_DENIED;
                }
                self.listeners.push((object, pattern.to_string()));
                OK
            }
            "send" => {
                let (Some(name), Some(Value::Object(data))) =
                    (args.get("id").and_then(Value::as_str), args.get("data"))
                else {
                    return INVALID_ARGUMENT;
                };
                self.broadcast(Some(client), name, data);
                OK
            }
            _ => INVALID_ARGUMENT,
        }
    }

    /// Delivers an event to every listening object once, never back to its sender.
    pub fn broadcast(&mut self, sender: Option<u32>, name: &str, data: &Map<String, Value>) {
        let mut seen = HashSet::new();
        for (object, pattern) in self.listeners.clone() {
            let Some(Owner::Client(owner)) = self.objects.get(&object).map(|o| &o.owner) else {
                continue;
            };
            if !matches(&pattern, name) || Some(*owner) == sender || !seen.insert(object) {
                continue;
            }
            self.seq = self.seq.wrapping_add(1);
            self.forward_invoke(*owner, self.seq, 0, object, name, data, false);
        }
    }

    pub fn subscribe(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(subscriber), Some(target)) = (msg.u32(wire::A_OBJID), msg.u32(wire::A_TARGET))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(subscriber, client) {
            return Some(INVALID_ARGUMENT);
        }
        if !self.objects.contains_key(&target) {
            return Some(NOT_FOUND);
        }
        self.subscriptions.push((target, subscriber));
        Some(OK)
    }

    pub fn unsubscribe(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(subscriber), Some(target)) = (msg.u32(wire::A_OBJID), msg.u32(wire::A_TARGET))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(subscriber, client) {
            return Some(INVALID_ARGUMENT);
        }
        self.subscriptions.retain(|s| *s != (target, subscriber));
        Some(OK)
    }

    /// NOTIFY from an object's owner: an INVOKE to each subscriber.
    pub fn notify_from(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(target), Some(kind)) = (msg.u32(wire::A_OBJID), msg.string(wire::A_METHOD))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(target, client) {
            return Some(NOT_FOUND);
        }
        let data = msg.table(wire::A_DATA).unwrap_or_default();
        self.forward_notify(target, client, msg.seq, &kind, &data, true);
        Some(OK)
    }

    pub fn forward_notify(
        &self,
        target: u32,
        from: u32,
        seq: u16,
        kind: &str,
        data: &Map<String, Value>,
        no_reply: bool,
    ) {
        for (t, subscriber) in &self.subscriptions {
            if *t != target {
                continue;
            }
            if let Some(Owner::Client(owner)) = self.objects.get(subscriber).map(|o| &o.owner) {
                self.forward_invoke(*owner, seq, from, *subscriber, kind, data, no_reply);
            }
        }
    }
}
