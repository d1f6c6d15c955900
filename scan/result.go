package scan

import (
	"strings"
	"time"
)

// Result is everything one probe of one target saw. Probe always returns
// one, even when the target could not be reached; Err then says why, and the
// fields hold whatever was seen before the failure.
type Result struct {
	// Target is the target as given; Addr is the host:port dialled.
	Target string `json:"target"`
	Addr   string `json:"addr,omitempty"`

	// Banner is the first line of the server's greeting, as received.
	Banner string `json:"banner,omitempty"`

	// Server is what the banner (and EHLO) say the server is.
	Server Server `json:"server"`

	// EHLO are the extension keywords of the EHLO reply in server order:
	// the first token of each line after the greeting, in upper case
	// ("SIZE 2097152" gives "SIZE"). EHLORaw is the reply as received.
	EHLO    []string `json:"ehlo,omitempty"`
	EHLORaw []string `json:"ehlo_raw,omitempty"`

	// HELPRaw is the reply to HELP as received.
	HELPRaw []string `json:"help_raw,omitempty"`

	// UsedHELO is true when the server refused EHLO and HELO was used.
	UsedHELO bool `json:"used_helo,omitempty"`

	// Verbs holds the reply to each active try, keyed "TURN", "ATRN",
	// "ETRN", "VRFY" and "EXPN". A verb is missing when the session ended
	// before it was tried.
	Verbs map[string]Reply `json:"verbs,omitempty"`

	// Relay is the reply to the relay test's RCPT TO (or to its MAIL FROM,
	// when that was refused); nil when the test was not run.
	Relay *Reply `json:"relay,omitempty"`

	// TLS describes the STARTTLS negotiation; nil when it was not tried.
	TLS *TLSInfo `json:"tls,omitempty"`

	// Transcript is every line sent and received, in order.
	Transcript []Line `json:"transcript,omitempty"`

	// Findings are the problems found, in the order of the ID table in the
	// package documentation.
	Findings []Finding `json:"findings,omitempty"`

	// Err is a connection or protocol failure that ended the probe early.
	Err error `json:"-"`
}

// Line is one line of a transcript.
type Line struct {
	// Dir is "C" for a line the scanner sent and "S" for one it received.
	Dir  string `json:"dir"`
	Text string `json:"text"`
}

// String formats l as "C: text" or "S: text".
func (l Line) String() string {
	return l.Dir + ": " + l.Text
}

// TLSInfo is the outcome of STARTTLS.
type TLSInfo struct {
	// Version and CipherSuite are the negotiated parameters, e.g. "TLS 1.3".
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`

	// Subject, Issuer, NotBefore and NotAfter describe the server's leaf
	// certificate. The certificate is recorded, not verified.
	Subject   string    `json:"subject,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`

	// Error says why STARTTLS failed: refused, or a failed handshake.
	Error string `json:"error,omitempty"`
}

// Advertises reports whether the EHLO reply lists v as a keyword, compared
// case-insensitively on the first token.
func (r *Result) Advertises(v string) bool {
	for _, k := range r.EHLO {
		if strings.EqualFold(k, v) {
			return true
		}
	}
	return false
}

// Accepts reports whether the active try of v shows the command is live.
//
// A reply counts as accepting when its code is:
//   - 2xx or 3xx: the server did it, or will;
//   - 4xx other than 421: a transient refusal of something the server
//     understands, e.g. ETRN's 458/459 for a domain it will not flush now;
//   - 530: authentication required, so the command is enabled for any
//     client that logs in.
//
// 421 (the server is closing the session) and every other 5xx, which covers
// "unrecognised", "not implemented" and refusals by policy, do not. A verb
// never tried is not accepted.
func (r *Result) Accepts(v string) bool {
	rep, ok := r.Verbs[strings.ToUpper(v)]
	if !ok {
		return false
	}
	return accepting(rep.Code)
}

// accepting applies the rule documented on Accepts to a reply code.
func accepting(code int) bool {
	switch {
	case code >= 200 && code < 400:
		return true
	case code == 421:
		return false
	case code >= 400 && code < 500:
		return true
	}
	return code == 530
}

// Offers reports whether the server advertises or accepts v.
func (r *Result) Offers(v string) bool {
	return r.Advertises(v) || r.Accepts(v)
}

// HelpLists reports whether a positive reply to HELP names v, compared
// case-insensitively on whole words. Scanners such as nmap's smtp-commands
// report the HELP text too.
func (r *Result) HelpLists(v string) bool {
	if len(r.HELPRaw) == 0 {
		return false
	}
	code, _, err := parseLine(r.HELPRaw[0])
	if err != nil || code < 200 || code >= 300 {
		return false
	}
	for _, l := range r.HELPRaw {
		if len(l) <= 4 {
			continue
		}
		words := strings.FieldsFunc(l[4:], func(c rune) bool {
			return c == ' ' || c == ',' || c == '\t'
		})
		for _, w := range words {
			if strings.EqualFold(w, v) {
				return true
			}
		}
	}
	return false
}

// HasFindings reports whether any finding is above severity info: the
// scan command exits with 2 for such a result.
func (r *Result) HasFindings() bool {
	for _, f := range r.Findings {
		if f.Severity != SeverityInfo {
			return true
		}
	}
	return false
}
