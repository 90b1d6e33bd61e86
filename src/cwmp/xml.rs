//! The tolerant XML layer of the CWMP codec (the "Packet" view).
//!
//! Reading: [`parse`] turns an envelope into a small element tree that borrows from the input.
//! It resolves namespaces itself (any prefix, default namespaces), decodes the predefined entities
//! and character references, refuses DOCTYPE and every other entity, and enforces depth, element
//! and namespace-declaration limits while it reads, so a hostile envelope costs at most linear
//! time. Text is kept only for leaf elements; whitespace between elements is dropped.
//!
//! Writing: [`XmlWriter`] appends markup and escaped text straight into a `Vec<u8>`.
//!
//! This module knows XML and namespaces, nothing about CWMP RPCs (that is `codec`).

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::types::CwmpNamespace;

pub const SOAP_ENVELOPE_URI: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP_ENCODING_URI: &str = "http://schemas.xmlsoap.org/soap/encoding/";
pub const XSD_URI: &str = "http://www.w3.org/2001/XMLSchema";
pub const XSI_URI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The pre-Recommendation XSI namespace, still sent by a few old SOAP stacks.
const XSI_1999_URI: &str = "http://www.w3.org/1999/XMLSchema-instance";

/// Most namespace declarations in scope at once. Real envelopes use about six; the cap keeps
/// prefix resolution cheap on hostile input.
pub const MAX_NAMESPACE_BINDINGS: usize = 64;

/// The namespaces the codec tells apart. Everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// No namespace (an unprefixed name with no default namespace in scope).
    None,
    SoapEnvelope,
    Cwmp(CwmpNamespace),
    XmlSchemaInstance,
    /// Any other namespace, or a prefix that was never declared.
    Other,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        match uri {
            "" => Ns::None,
            SOAP_ENVELOPE_URI => Ns::SoapEnvelope,
            XSI_URI | XSI_1999_URI => Ns::XmlSchemaInstance,
            _ => CwmpNamespace::from_uri(uri).map_or(Ns::Other, Ns::Cwmp),
        }
    }
}

/// Why the XML layer refused a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlError {
    TooDeep,
    TooManyElements,
    TooManyNamespaces,
    /// A DOCTYPE (and so any entity declaration), or a reference to an entity other than the
    /// five predefined ones.
    DoctypeOrEntity,
    Malformed(String),
    /// Well-formed so far but no root element at all (e.g. only a declaration or comments).
    NoRootElement,
}

/// Bounds enforced while reading.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    pub max_depth: usize,
    pub max_elements: usize,
}

const NO_NODE: usize = usize::MAX;

struct Node<'a> {
    ns: Ns,
    local_name: Cow<'a, str>,
    /// Local part of an `xsi:type` attribute (`"xsd:unsignedInt"` → `"unsignedInt"`).
    xsi_type: Option<Cow<'a, str>>,
    /// Character data; kept only while the element has no child elements.
    text: Cow<'a, str>,
    first_child: usize,
    last_child: usize,
    next_sibling: usize,
    /// The end tag was read (false in the partial tree of a failed parse).
    closed: bool,
}

/// An element tree borrowed from the input. The root, if any, is node 0.
pub struct Document<'a> {
    nodes: Vec<Node<'a>>,
}

/// A failed parse: the error and the tree read up to that point (for error context).
pub struct ParseFailure<'a> {
    pub error: XmlError,
    pub partial: Document<'a>,
}

impl<'a> Document<'a> {
    pub fn root(&self) -> Option<Element<'_, 'a>> {
        if self.nodes.is_empty() {
            None
        } else {
            Some(Element {
                doc: self,
                index: 0,
            })
        }
    }
}

/// A handle on one element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Element<'d, 'a> {
    doc: &'d Document<'a>,
    index: usize,
}

impl<'d, 'a> Element<'d, 'a> {
    fn node(&self) -> &'d Node<'a> {
        &self.doc.nodes[self.index]
    }

    pub fn ns(&self) -> Ns {
        self.node().ns
    }

    pub fn local_name(&self) -> &'d str {
        &self.node().local_name
    }

    /// The character data of a leaf element (empty for an element with children).
    pub fn text(&self) -> &'d str {
        &self.node().text
    }

    pub fn xsi_type(&self) -> Option<&'d str> {
        self.node().xsi_type.as_deref()
    }

    pub fn is_closed(&self) -> bool {
        self.node().closed
    }

    pub fn children(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: self.node().first_child,
        }
    }

    /// The first child element with this local name, whatever its namespace.
    pub fn child(&self, local_name: &str) -> Option<Element<'d, 'a>> {
        self.children().find(|c| c.local_name() == local_name)
    }

    /// The first child element with this local name in this namespace.
    pub fn child_in(&self, ns: Ns, local_name: &str) -> Option<Element<'d, 'a>> {
        self.children()
            .find(|c| c.ns() == ns && c.local_name() == local_name)
    }

    pub fn is(&self, ns: Ns, local_name: &str) -> bool {
        self.ns() == ns && self.local_name() == local_name
    }
}

/// Iterator over the child elements of an element.
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: usize,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Element<'d, 'a>;

    fn next(&mut self) -> Option<Element<'d, 'a>> {
        let node = self.doc.nodes.get(self.next)?;
        let element = Element {
            doc: self.doc,
            index: self.next,
        };
        self.next = node.next_sibling;
        Some(element)
    }
}

/// Parse `input` (UTF-8) into an element tree within `limits`.
pub fn parse<'a>(input: &'a [u8], limits: TreeLimits) -> Result<Document<'a>, ParseFailure<'a>> {
    let mut builder = TreeBuilder::new(input, limits);
    match builder.run() {
        Ok(()) => Ok(builder.into_document()),
        Err(error) => Err(ParseFailure {
            error,
            partial: builder.into_document(),
        }),
    }
}

struct Binding<'a> {
    prefix: Cow<'a, [u8]>,
    ns: Ns,
}

struct OpenElement {
    node: usize,
    bindings_before: usize,
}

struct TreeBuilder<'a> {
    input: &'a [u8],
    limits: TreeLimits,
    nodes: Vec<Node<'a>>,
    open: Vec<OpenElement>,
    bindings: Vec<Binding<'a>>,
    root_done: bool,
}

impl<'a> TreeBuilder<'a> {
    fn new(input: &'a [u8], limits: TreeLimits) -> TreeBuilder<'a> {
        TreeBuilder {
            input,
            limits,
            nodes: Vec::new(),
            open: Vec::new(),
            bindings: Vec::new(),
            root_done: false,
        }
    }

    fn into_document(self) -> Document<'a> {
        Document { nodes: self.nodes }
    }

    fn run(&mut self) -> Result<(), XmlError> {
        let mut reader = Reader::from_reader(self.input);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| malformed(format!("{e} (near byte {})", reader.error_position())))?;
            match event {
                Event::Start(start) => self.start_element(&start)?,
                Event::Empty(start) => {
                    self.start_element(&start)?;
                    self.end_element();
                }
                Event::End(_) => self.end_element(),
                Event::Text(text) => self.text(text.xml10_content().map_err(encoding_error)?)?,
                Event::CData(data) => self.text(data.xml10_content().map_err(encoding_error)?)?,
                Event::GeneralRef(reference) => self.reference(&reference)?,
                Event::DocType(_) => return Err(XmlError::DoctypeOrEntity),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => return self.finish(),
            }
        }
    }

    fn finish(&self) -> Result<(), XmlError> {
        if let Some(open) = self.open.last() {
            let name = &self.nodes[open.node].local_name;
            return Err(malformed(format!(
                "unexpected end of input inside <{name}>"
            )));
        }
        if self.nodes.is_empty() {
            return Err(XmlError::NoRootElement);
        }
        Ok(())
    }

    fn start_element(&mut self, start: &BytesStart<'_>) -> Result<(), XmlError> {
        if self.root_done {
            return Err(malformed("element after the root element".into()));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(XmlError::TooDeep);
        }
        if self.nodes.len() >= self.limits.max_elements {
            return Err(XmlError::TooManyElements);
        }
        let bindings_before = self.bindings.len();
        let has_type_attribute = self.declare_namespaces(start)?;
        let xsi_type = if has_type_attribute {
            self.find_xsi_type(start)?
        } else {
            None
        };
        let qname = self.reborrow(start.name().as_ref());
        let (prefix, local_name) = split_qname(qname);
        let ns = self.resolve_element_prefix(&prefix);
        let local_name = utf8(local_name)?;
        let index = self.nodes.len();
        self.nodes.push(Node {
            ns,
            local_name,
            xsi_type,
            text: Cow::Borrowed(""),
            first_child: NO_NODE,
            last_child: NO_NODE,
            next_sibling: NO_NODE,
            closed: false,
        });
        self.link_to_parent(index);
        self.open.push(OpenElement {
            node: index,
            bindings_before,
        });
        Ok(())
    }

    /// Push the `xmlns` / `xmlns:p` declarations of a start tag and check the references in
    /// its other attributes; report whether it has a prefixed `type` attribute (a possible
    /// `xsi:type`).
    fn declare_namespaces(&mut self, start: &BytesStart<'_>) -> Result<bool, XmlError> {
        let mut has_type_attribute = false;
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| malformed(e.to_string()))?;
            let key = attribute.key.as_ref();
            let prefix = if key == b"xmlns" {
                Some(&b""[..])
            } else {
                key.strip_prefix(b"xmlns:")
            };
            match prefix {
                Some(prefix) => {
                    let uri = unescape_attribute(self.reborrow(&attribute.value))?;
                    let prefix = self.reborrow(prefix);
                    self.bindings.push(Binding {
                        prefix,
                        ns: Ns::from_uri(&uri),
                    });
                }
                None => {
                    has_type_attribute |= key.ends_with(b":type");
                    check_references(&attribute.value)?;
                }
            }
        }
        if self.bindings.len() > MAX_NAMESPACE_BINDINGS {
            return Err(XmlError::TooManyNamespaces);
        }
        Ok(has_type_attribute)
    }

    /// The local part of the value of the `xsi:type` attribute, if the tag has one. An
    /// undeclared `xsi` prefix is tolerated.
    fn find_xsi_type(&self, start: &BytesStart<'_>) -> Result<Option<Cow<'a, str>>, XmlError> {
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| malformed(e.to_string()))?;
            let (prefix, local_name) = split_qname(Cow::Borrowed(attribute.key.as_ref()));
            if local_name.as_ref() != b"type" || prefix.is_empty() {
                continue;
            }
            let is_xsi = match self.lookup(&prefix) {
                Some(ns) => ns == Ns::XmlSchemaInstance,
                None => prefix.as_ref() == b"xsi",
            };
            if is_xsi {
                let value = unescape_attribute(self.reborrow(&attribute.value))?;
                return Ok(Some(after_colon(value)));
            }
        }
        Ok(None)
    }

    fn lookup(&self, prefix: &[u8]) -> Option<Ns> {
        self.bindings
            .iter()
            .rev()
            .find(|binding| binding.prefix.as_ref() == prefix)
            .map(|binding| binding.ns)
    }

    fn resolve_element_prefix(&self, prefix: &[u8]) -> Ns {
        match self.lookup(prefix) {
            Some(ns) => ns,
            None if prefix.is_empty() => Ns::None,
            None => Ns::Other,
        }
    }

    fn link_to_parent(&mut self, index: usize) {
        let Some(parent) = self.open.last().map(|open| open.node) else {
            return;
        };
        let previous = self.nodes[parent].last_child;
        if previous == NO_NODE {
            self.nodes[parent].first_child = index;
            // Mixed content is not CWMP: once an element has children its text is dropped.
            self.nodes[parent].text = Cow::Borrowed("");
        } else {
            self.nodes[previous].next_sibling = index;
        }
        self.nodes[parent].last_child = index;
    }

    fn end_element(&mut self) {
        if let Some(open) = self.open.pop() {
            self.nodes[open.node].closed = true;
            self.bindings.truncate(open.bindings_before);
            if self.open.is_empty() {
                self.root_done = true;
            }
        }
    }

    fn text(&mut self, piece: Cow<'a, str>) -> Result<(), XmlError> {
        let Some(open) = self.open.last() else {
            if piece.trim_matches(is_xml_space).is_empty() {
                return Ok(());
            }
            return Err(malformed("text outside the root element".into()));
        };
        let node = &mut self.nodes[open.node];
        if node.first_child != NO_NODE {
            return Ok(());
        }
        if node.text.is_empty() {
            node.text = piece;
        } else {
            node.text.to_mut().push_str(&piece);
        }
        Ok(())
    }

    fn reference(&mut self, reference: &BytesRef<'_>) -> Result<(), XmlError> {
        let character = resolve_reference(reference)?;
        let mut buffer = [0u8; 4];
        let piece = character.encode_utf8(&mut buffer);
        self.text(Cow::Owned(piece.to_owned()))
    }

    /// Re-borrow a slice that quick-xml handed out from the input itself, so it lives as long
    /// as the input; copy it in the (never expected) case it is not part of the input.
    fn reborrow(&self, part: &[u8]) -> Cow<'a, [u8]> {
        let input_start = self.input.as_ptr() as usize;
        let offset = (part.as_ptr() as usize).wrapping_sub(input_start);
        match offset
            .checked_add(part.len())
            .and_then(|end| self.input.get(offset..end))
        {
            Some(borrowed) if borrowed.as_ptr() == part.as_ptr() => Cow::Borrowed(borrowed),
            _ => Cow::Owned(part.to_vec()),
        }
    }
}

fn malformed(message: String) -> XmlError {
    XmlError::Malformed(message)
}

fn encoding_error(error: quick_xml::encoding::EncodingError) -> XmlError {
    malformed(error.to_string())
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Resolve `&name;` or `&#N;`: the five predefined entities and character references only
/// (no DTD is ever read, so no other entity can be declared).
fn resolve_reference(reference: &BytesRef<'_>) -> Result<char, XmlError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c),
            _ => Err(malformed(format!(
                "invalid character reference &{};",
                String::from_utf8_lossy(reference)
            ))),
        };
    }
    // Its bytes (a bare `.as_ref()` turns ambiguous once a dependency adds another `AsRef`
    // for `[u8]`, as winnow does under `tr181-cellular`).
    match &**reference {
        b"amp" => Ok('&'),
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"quot" => Ok('"'),
        b"apos" => Ok('\''),
        _ => Err(XmlError::DoctypeOrEntity),
    }
}

/// The `Char` production of XML 1.0 (§2.2).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Refuse undeclared entities and invalid character references in an attribute value that is
/// otherwise not read.
fn check_references(value: &[u8]) -> Result<(), XmlError> {
    if value.contains(&b'&') {
        unescape_attribute(Cow::Borrowed(value))?;
    }
    Ok(())
}

fn unescape_attribute(raw: Cow<'_, [u8]>) -> Result<Cow<'_, str>, XmlError> {
    let escape_error = |e: quick_xml::escape::EscapeError| match e {
        quick_xml::escape::EscapeError::UnrecognizedEntity(..) => XmlError::DoctypeOrEntity,
        other => malformed(other.to_string()),
    };
    match utf8(raw)? {
        Cow::Borrowed(text) => quick_xml::escape::unescape(text).map_err(escape_error),
        Cow::Owned(text) => Ok(Cow::Owned(
            quick_xml::escape::unescape(&text)
                .map_err(escape_error)?
                .into_owned(),
        )),
    }
}

fn utf8(bytes: Cow<'_, [u8]>) -> Result<Cow<'_, str>, XmlError> {
    let invalid = || malformed("invalid UTF-8".into());
    match bytes {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| invalid()),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| invalid()),
    }
}

/// Split `prefix:local` (no colon: empty prefix).
fn split_qname(qname: Cow<'_, [u8]>) -> (Cow<'_, [u8]>, Cow<'_, [u8]>) {
    let Some(colon) = qname.iter().position(|&b| b == b':') else {
        return (Cow::Borrowed(&b""[..]), qname);
    };
    match qname {
        Cow::Borrowed(q) => (Cow::Borrowed(&q[..colon]), Cow::Borrowed(&q[colon + 1..])),
        Cow::Owned(q) => (
            Cow::Owned(q[..colon].to_vec()),
            Cow::Owned(q[colon + 1..].to_vec()),
        ),
    }
}

/// The part after the last colon of a QName-valued attribute (`xsd:string` → `string`).
fn after_colon(value: Cow<'_, str>) -> Cow<'_, str> {
    let Some(colon) = value.rfind(':') else {
        return value;
    };
    match value {
        Cow::Borrowed(v) => Cow::Borrowed(&v[colon + 1..]),
        Cow::Owned(v) => Cow::Owned(v[colon + 1..].to_owned()),
    }
}

/// Appends markup and escaped character data to a byte buffer.
pub struct XmlWriter<'o> {
    out: &'o mut Vec<u8>,
}

impl<'o> XmlWriter<'o> {
    pub fn new(out: &'o mut Vec<u8>) -> XmlWriter<'o> {
        XmlWriter { out }
    }

    /// Markup, written as is.
    pub fn raw(&mut self, markup: &str) {
        self.out.extend_from_slice(markup.as_bytes());
    }

    /// Character data, escaped.
    pub fn text(&mut self, text: &str) {
        write_escaped(self.out, text, Context::Text);
    }

    /// The value of a double-quoted attribute, escaped.
    pub fn attribute_value(&mut self, value: &str) {
        write_escaped(self.out, value, Context::Attribute);
    }

    pub fn unsigned(&mut self, value: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut rest = value;
        loop {
            start -= 1;
            digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[start..]);
    }

    pub fn signed(&mut self, value: i64) {
        if value < 0 {
            self.out.push(b'-');
        }
        self.unsigned(value.unsigned_abs());
    }

    /// `<name>`
    pub fn start(&mut self, name: &str) {
        self.out.push(b'<');
        self.raw(name);
        self.out.push(b'>');
    }

    /// `</name>`
    pub fn end(&mut self, name: &str) {
        self.out.extend_from_slice(b"</");
        self.raw(name);
        self.out.push(b'>');
    }

    /// `<name>text</name>`
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// `<name>N</name>`
    pub fn unsigned_element(&mut self, name: &str, value: u64) {
        self.start(name);
        self.unsigned(value);
        self.end(name);
    }

    /// `<name>N</name>`
    pub fn signed_element(&mut self, name: &str, value: i64) {
        self.start(name);
        self.signed(value);
        self.end(name);
    }

    /// `<name>1</name>` or `<name>0</name>` (xsd:boolean).
    pub fn boolean_element(&mut self, name: &str, value: bool) {
        self.text_element(name, if value { "1" } else { "0" });
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

/// U+FFFD, written in place of characters XML 1.0 cannot carry at all (C0 controls other than
/// tab, newline and carriage return; U+FFFE; U+FFFF).
const REPLACEMENT_CHARACTER: &[u8] = "\u{FFFD}".as_bytes();

fn write_escaped(out: &mut Vec<u8>, text: &str, context: Context) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    let mut index = 0;
    while index < bytes.len() {
        let (replacement, width): (&[u8], usize) = match bytes[index] {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' if context == Context::Attribute => (b"&quot;", 1),
            // A raw CR would come back as LF (XML end-of-line handling, §2.11).
            b'\r' => (b"&#13;", 1),
            // Attribute-value normalisation (§3.3.3) would turn raw tabs and newlines into spaces.
            b'\t' if context == Context::Attribute => (b"&#9;", 1),
            b'\n' if context == Context::Attribute => (b"&#10;", 1),
            b'\t' | b'\n' => {
                index += 1;
                continue;
            }
            0x00..=0x1F => (REPLACEMENT_CHARACTER, 1),
            0xEF if matches!(bytes.get(index + 1..index + 3), Some([0xBF, 0xBE | 0xBF])) => {
                (REPLACEMENT_CHARACTER, 3)
            }
            _ => {
                index += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[clean_from..index]);
        out.extend_from_slice(replacement);
        index += width;
        clean_from = index;
    }
    out.extend_from_slice(&bytes[clean_from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: TreeLimits = TreeLimits {
        max_depth: 32,
        max_elements: 1000,
    };

    fn escaped(text: &str, context: Context) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, text, context);
        String::from_utf8(out).expect("escaping keeps UTF-8")
    }

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(
            escaped("a&b<c>d\"e'f", Context::Text),
            "a&amp;b&lt;c&gt;d\"e'f"
        );
        assert_eq!(
            escaped("a&b<c>d\"e", Context::Attribute),
            "a&amp;b&lt;c&gt;d&quot;e"
        );
        assert_eq!(escaped("l1\r\nl2\tx", Context::Text), "l1&#13;\nl2\tx");
        assert_eq!(escaped("l1\nl2\t", Context::Attribute), "l1&#10;l2&#9;");
        assert_eq!(escaped("bell\u{7}!", Context::Text), "bell\u{FFFD}!");
        assert_eq!(
            escaped("x\u{FFFF}y\u{FFFE}z\u{FFFD}", Context::Text),
            "x\u{FFFD}y\u{FFFD}z\u{FFFD}"
        );
        assert_eq!(escaped("Grüße €", Context::Text), "Grüße €");
    }

    #[test]
    fn writes_numbers() {
        let mut out = Vec::new();
        let mut writer = XmlWriter::new(&mut out);
        writer.unsigned(0);
        writer.raw(" ");
        writer.unsigned(u64::MAX);
        writer.raw(" ");
        writer.signed(-1);
        writer.raw(" ");
        writer.signed(i64::MIN);
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            "0 18446744073709551615 -1 -9223372036854775808"
        );
    }

    #[test]
    fn resolves_prefixes_and_default_namespaces() {
        let input = br#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">
            <Body xmlns="urn:dslforum-org:cwmp-1-1"><Inner xmlns=""/><x:Y/></Body></e:Envelope>"#;
        let doc = parse(input, LIMITS).ok().expect("well-formed");
        let root = doc.root().expect("root");
        assert!(root.is(Ns::SoapEnvelope, "Envelope"));
        let body = root.child("Body").expect("Body");
        assert_eq!(body.ns(), Ns::Cwmp(CwmpNamespace::V1_1));
        let children: Vec<(Ns, &str)> = body.children().map(|c| (c.ns(), c.local_name())).collect();
        assert_eq!(children, vec![(Ns::None, "Inner"), (Ns::Other, "Y")]);
    }

    #[test]
    fn reads_text_references_and_xsi_type() {
        let input = "<a xmlns:i='http://www.w3.org/2001/XMLSchema-instance'>\
            <v i:type='xsd:int'>1&amp;2&#x41;&#66;<![CDATA[<c>]]>\r\nz</v><w xsi:type='string'/></a>";
        let doc = parse(input.as_bytes(), LIMITS).ok().expect("well-formed");
        let root = doc.root().expect("root");
        let v = root.child("v").expect("v");
        assert_eq!(v.text(), "1&2AB<c>\nz");
        assert_eq!(v.xsi_type(), Some("int"));
        assert_eq!(root.child("w").and_then(|w| w.xsi_type()), Some("string"));
        assert_eq!(root.text(), "");
    }

    fn error_of(input: &str) -> XmlError {
        match parse(input.as_bytes(), LIMITS) {
            Ok(_) => panic!("accepted {input:?}"),
            Err(failure) => failure.error,
        }
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        assert_eq!(
            error_of("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
            XmlError::DoctypeOrEntity
        );
        assert_eq!(error_of("<a>&x;</a>"), XmlError::DoctypeOrEntity);
        assert_eq!(error_of("<a b='&x;'/>"), XmlError::DoctypeOrEntity);
        assert!(matches!(error_of("<a>&#0;</a>"), XmlError::Malformed(_)));
        assert!(matches!(
            error_of("<a>&#xFFFF;</a>"),
            XmlError::Malformed(_)
        ));
    }

    #[test]
    fn enforces_structure_and_limits() {
        assert!(matches!(error_of("<a><b></a>"), XmlError::Malformed(_)));
        assert!(matches!(error_of("<a><b>"), XmlError::Malformed(_)));
        assert!(matches!(error_of("<a/><b/>"), XmlError::Malformed(_)));
        assert!(matches!(error_of("<a/>text"), XmlError::Malformed(_)));
        assert_eq!(
            error_of("<?xml version='1.0'?><!-- c -->"),
            XmlError::NoRootElement
        );
        let deep = "<a>".repeat(33) + &"</a>".repeat(33);
        assert_eq!(error_of(&deep), XmlError::TooDeep);
        let wide = format!("<a>{}</a>", "<b/>".repeat(1000));
        assert_eq!(error_of(&wide), XmlError::TooManyElements);
        let declarations: String = (0..65).map(|i| format!(" xmlns:p{i}='u{i}'")).collect();
        assert_eq!(
            error_of(&format!("<a{declarations}/>")),
            XmlError::TooManyNamespaces
        );
    }

    #[test]
    fn partial_tree_survives_errors() {
        let failure = match parse(b"<a><id>7</id><b>", LIMITS) {
            Ok(_) => panic!("truncated input accepted"),
            Err(failure) => failure,
        };
        let root = failure.partial.root().expect("root was read");
        let id = root.child("id").expect("id was read");
        assert!(id.is_closed());
        assert_eq!(id.text(), "7");
        assert!(!root.child("b").expect("b was started").is_closed());
    }
}
