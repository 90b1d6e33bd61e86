//! What the CPE sends, as a small generic XML tree (quick-xml), with CWMP accessors on top.
//!
//! Deliberately independent of the crate's own codec: element local names, namespace URIs,
//! attributes and text, nothing typed beyond what a test asserts.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

pub const NS_SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const NS_SOAP_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One attribute: its qualified name as written, local name, namespace URI and unescaped value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub qname: String,
    pub name: String,
    pub ns: Option<String>,
    pub value: String,
}

/// One element: local name, prefix and namespace URI, attributes, child elements and the
/// character data directly inside it (concatenated, unescaped, whitespace kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub prefix: Option<String>,
    pub ns: Option<String>,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// True if this element has local name `name` in namespace `ns`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this local name, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The value of the attribute with this local name (any namespace).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The value of the attribute `{ns}name`.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name && a.ns.as_deref() == Some(ns))
            .map(|a| a.value.as_str())
    }

    /// The first descendant (depth first, not this element) with this local name.
    pub fn find(&self, name: &str) -> Option<&Element> {
        for child in &self.children {
            if child.name == name {
                return Some(child);
            }
            if let Some(found) = child.find(name) {
                return Some(found);
            }
        }
        None
    }

    /// Every descendant (document order, not this element) with this local name.
    pub fn find_all(&self, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        self.collect(name, &mut out);
        out
    }

    fn collect<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for child in &self.children {
            if child.name == name {
                out.push(child);
            }
            child.collect(name, out);
        }
    }
}

/// Parses a whole document into its root element. DOCTYPE is refused (a CPE never sends one).
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("XML error at byte {position}: {e}"))?;
        let ns = namespace_of(&resolved);
        match event {
            Event::Start(start) => stack.push(element_from(&reader, &start, ns)?),
            Event::Empty(start) => {
                let element = element_from(&reader, &start, ns)?;
                attach(&mut stack, &mut root, element)?;
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("end tag without start tag")?;
                attach(&mut stack, &mut root, element)?;
            }
            Event::Text(text) => {
                let text = text.xml10_content().map_err(|e| e.to_string())?;
                append_text(&mut stack, &text)?;
            }
            Event::CData(data) => {
                let data = data.decode().map_err(|e| e.to_string())?;
                append_text(&mut stack, &data)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                append_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => return Err("DOCTYPE is not allowed".into()),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(format!(
            "document ends inside <{}>",
            stack[stack.len() - 1].name
        ));
    }
    root.ok_or_else(|| "no root element".to_string())
}

fn namespace_of(resolved: &ResolveResult) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        _ => None,
    }
}

fn element_from(
    reader: &NsReader<&[u8]>,
    start: &BytesStart,
    ns: Option<String>,
) -> Result<Element, String> {
    let qname = start.name();
    let name = String::from_utf8_lossy(qname.local_name().as_ref()).into_owned();
    let prefix = qname
        .prefix()
        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned());
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let (resolved, local) = reader.resolve_attribute(attr.key);
        attrs.push(Attr {
            qname: String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            ns: namespace_of(&resolved),
            value: attr
                .unescape_value()
                .map_err(|e| e.to_string())?
                .into_owned(),
        });
    }
    Ok(Element {
        name,
        prefix,
        ns,
        attrs,
        ..Element::default()
    })
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err("text outside the root element".into()),
    }
    Ok(())
}

fn resolve_reference(reference: &BytesRef) -> Result<String, String> {
    if let Some(ch) = reference.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(ch.to_string());
    }
    let name = reference.decode().map_err(|e| e.to_string())?;
    let ch = match name.as_ref() {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        other => return Err(format!("unknown entity &{other};")),
    };
    Ok(ch.to_string())
}

/// A `ParameterValueStruct`: name, value and the `xsi:type` attribute as written (`xsd:string`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamValue {
    pub name: String,
    pub value: String,
    pub xsi_type: Option<String>,
}

/// A `ParameterAttributeStruct` from a GetParameterAttributesResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamAttribute {
    pub name: String,
    pub notification: String,
    pub access_list: Vec<String>,
}

/// A CWMP fault (`detail/cwmp:Fault` of a SOAP Fault), with its SetParameterValuesFault list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CwmpFault {
    /// `faultcode` of the SOAP Fault (`Client` or `Server`).
    pub soap_code: String,
    pub code: u32,
    pub string: String,
    pub spv_faults: Vec<SpvFault>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpvFault {
    pub name: String,
    pub code: u32,
    pub string: String,
}

/// One SOAP envelope, parsed, plus the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub root: Element,
    pub raw: String,
}

impl Envelope {
    /// Parses `raw`; the root must be `Envelope` (any namespace: the checks are the tests' job).
    pub fn parse(raw: &str) -> Result<Envelope, String> {
        let root = parse(raw)?;
        if root.name != "Envelope" {
            return Err(format!("root element is <{}>, not Envelope", root.name));
        }
        Ok(Envelope {
            root,
            raw: raw.to_string(),
        })
    }

    pub fn header(&self) -> Option<&Element> {
        self.root.child("Header")
    }

    pub fn body(&self) -> Option<&Element> {
        self.root.child("Body")
    }

    /// The single element inside Body: the RPC, its response, or a SOAP Fault.
    pub fn rpc(&self) -> Option<&Element> {
        self.body().and_then(|b| b.children.first())
    }

    /// Local name of the Body's element: `Inform`, `GetParameterValuesResponse`, `Fault`, or "".
    pub fn method(&self) -> &str {
        self.rpc().map(|e| e.name.as_str()).unwrap_or("")
    }

    /// The `cwmp:ID` header, trimmed.
    pub fn id(&self) -> Option<&str> {
        self.header().and_then(|h| h.child_text("ID"))
    }

    /// The `mustUnderstand` attribute of the `cwmp:ID` header.
    pub fn id_must_understand(&self) -> Option<&str> {
        self.header()
            .and_then(|h| h.child("ID"))
            .and_then(|id| id.attr("mustUnderstand"))
    }

    pub fn hold_requests(&self) -> Option<&str> {
        self.header().and_then(|h| h.child_text("HoldRequests"))
    }

    /// The CWMP namespace: that of the RPC, or of the `cwmp:Fault` inside a SOAP Fault.
    pub fn cwmp_ns(&self) -> Option<&str> {
        let rpc = self.rpc()?;
        if rpc.is(NS_SOAP_ENV, "Fault") {
            return rpc.find("Fault").and_then(|f| f.ns.as_deref());
        }
        rpc.ns.as_deref()
    }

    /// The first element with this local name anywhere in the envelope.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.root.find(name)
    }

    pub fn find_all(&self, name: &str) -> Vec<&Element> {
        self.root.find_all(name)
    }

    /// Trimmed text of the first element with this local name anywhere in the envelope.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.find(name).map(|e| e.text.trim())
    }

    /// Inform events as (EventCode, CommandKey).
    pub fn events(&self) -> Vec<(String, String)> {
        self.find_all("EventStruct")
            .into_iter()
            .map(|e| {
                let code = e.child_text("EventCode").unwrap_or("").to_string();
                let key = e.child_text("CommandKey").unwrap_or("").to_string();
                (code, key)
            })
            .collect()
    }

    pub fn event_codes(&self) -> Vec<String> {
        self.events().into_iter().map(|(code, _)| code).collect()
    }

    /// A `DeviceId` field of an Inform (`Manufacturer`, `OUI`, `ProductClass`, `SerialNumber`).
    pub fn device_id(&self, field: &str) -> Option<&str> {
        self.find("DeviceId").and_then(|d| d.child_text(field))
    }

    /// Every `ParameterValueStruct` (Inform, GetParameterValuesResponse).
    pub fn param_values(&self) -> Vec<ParamValue> {
        self.find_all("ParameterValueStruct")
            .into_iter()
            .map(|p| {
                let value = p.child("Value");
                ParamValue {
                    name: p.child_text("Name").unwrap_or("").to_string(),
                    value: value.map(|v| v.text.clone()).unwrap_or_default(),
                    xsi_type: value
                        .and_then(|v| v.attr_ns(NS_XSI, "type"))
                        .map(str::to_string),
                }
            })
            .collect()
    }

    /// The value of one parameter from `param_values()`.
    pub fn value_of(&self, name: &str) -> Option<String> {
        self.param_values()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.value)
    }

    /// GetParameterNamesResponse entries as (Name, Writable), Writable "1"/"true" → true.
    pub fn param_infos(&self) -> Vec<(String, bool)> {
        self.find_all("ParameterInfoStruct")
            .into_iter()
            .map(|p| {
                let name = p.child_text("Name").unwrap_or("").to_string();
                let writable = matches!(p.child_text("Writable"), Some("1") | Some("true"));
                (name, writable)
            })
            .collect()
    }

    pub fn param_attributes(&self) -> Vec<ParamAttribute> {
        self.find_all("ParameterAttributeStruct")
            .into_iter()
            .map(|p| ParamAttribute {
                name: p.child_text("Name").unwrap_or("").to_string(),
                notification: p.child_text("Notification").unwrap_or("").to_string(),
                access_list: p
                    .child("AccessList")
                    .map(|l| {
                        l.children
                            .iter()
                            .map(|s| s.text.trim().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The `string` members of a MethodList (GetRPCMethodsResponse).
    pub fn method_list(&self) -> Vec<String> {
        self.find("MethodList")
            .map(|l| {
                l.children
                    .iter()
                    .map(|s| s.text.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `Status` of a Set/Add/Delete/Download/Upload response.
    pub fn status(&self) -> Option<u32> {
        self.text_of("Status").and_then(|s| s.parse().ok())
    }

    pub fn instance_number(&self) -> Option<u32> {
        self.text_of("InstanceNumber").and_then(|s| s.parse().ok())
    }

    /// The CWMP fault of a SOAP Fault body, if this is one.
    pub fn fault(&self) -> Option<CwmpFault> {
        let soap_fault = self.rpc().filter(|r| r.is(NS_SOAP_ENV, "Fault"))?;
        let detail = soap_fault.child("detail")?.child("Fault")?;
        Some(CwmpFault {
            soap_code: soap_fault.child_text("faultcode").unwrap_or("").to_string(),
            code: detail.child_text("FaultCode")?.parse().ok()?,
            string: detail.child_text("FaultString").unwrap_or("").to_string(),
            spv_faults: detail
                .children_named("SetParameterValuesFault")
                .map(|f| SpvFault {
                    name: f.child_text("ParameterName").unwrap_or("").to_string(),
                    code: f
                        .child_text("FaultCode")
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0),
                    string: f.child_text("FaultString").unwrap_or("").to_string(),
                })
                .collect(),
        })
    }
}
