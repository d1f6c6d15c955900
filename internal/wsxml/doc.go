// Package wsxml reads the plain XML that WS-Management peers exchange
// straight from the bytes, as a fast path in front of encoding/xml.
//
// Both ends of smtpverbs' WinRM traffic read envelopes: the lab's server
// reads requests and the IIS provider reads answers. encoding/xml's tokens,
// interfaces and copies cost more than the rest of handling an envelope, yet
// real clients and Windows write a small, regular part of XML. A Scanner
// reads that part - ASCII text, prefixed or default namespaces, quoted
// attributes, the five predefined entities, CDATA sections and an XML
// declaration naming version 1.0 and UTF-8 - and gives up on anything else:
// non-ASCII or control characters, carriage returns, comments, other
// processing instructions, DOCTYPEs, numeric character references,
// undeclared or reserved element prefixes, a second root element,
// malformed markup, and documents nesting more than 16 elements, with more
// than 24 namespace declarations in scope or 24 attributes on one element.
// A Scanner allocates nothing unless text or an attribute value holds an
// entity, and may live on its user's stack.
//
// Giving up is not an error: the caller then reads the same bytes with
// encoding/xml, which decides and words any error. Each caller keeps a fuzz
// test that compares what it reads through a Scanner with what it reads
// through encoding/xml whenever the Scanner does not give up.
package wsxml
