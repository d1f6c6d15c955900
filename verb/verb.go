// Package verb is the vocabulary smtpverbs speaks: the SMTP verbs that the
// IIS SMTP service switches on and off through the metabase property
// SmtpInboundCommandSupportOptions (ID 36998), the bit each one occupies, and
// the verbs that look similar but are controlled elsewhere.
//
// The bit values come from Microsoft KB 257569 as quoted by secondary sources;
// the SDK itself leaves the bits undocumented. Bits this package does not name
// (0x1, 0x2000, 0x4000, 0x10000, 0x40000 in the schema default) have no known
// meaning and must always be preserved: see Apply.
package verb

import (
	"fmt"
	"sort"
	"strings"
)

// PropertyID is the metabase ID of SmtpInboundCommandSupportOptions.
const PropertyID = 36998

// PropertyName is the ADSI name of the property, as adsutil.vbs and
// MetaBase.xml spell it.
const PropertyName = "SmtpInboundCommandSupportOptions"

// SchemaDefault is the value an instance has when neither it nor the service
// key sets the property (the metabase schema default, 0x7574C1).
const SchemaDefault Flags = 7697601

// Flags is a value of SmtpInboundCommandSupportOptions.
type Flags uint32

// Verb is one verb the property controls. TURN and ATRN are distinct verbs
// that share a single bit.
type Verb struct {
	// Name is the canonical upper-case name, as configurations spell it.
	Name string

	// Keyword is the EHLO keyword as IIS prints it (IIS prints 8BITMIME in
	// lower case).
	Keyword string

	// Bit is the flag in SmtpInboundCommandSupportOptions.
	Bit Flags
}

// The verbs the property controls, in the order IIS lists them in its EHLO
// reply.
var (
	TURN                = Verb{Name: "TURN", Keyword: "TURN", Bit: 0x400}
	ATRN                = Verb{Name: "ATRN", Keyword: "ATRN", Bit: 0x400}
	ETRN                = Verb{Name: "ETRN", Keyword: "ETRN", Bit: 0x80}
	DSN                 = Verb{Name: "DSN", Keyword: "DSN", Bit: 0x40}
	ENHANCEDSTATUSCODES = Verb{Name: "ENHANCEDSTATUSCODES", Keyword: "ENHANCEDSTATUSCODES",
		Bit: 0x1000}
	EightBitMIME = Verb{Name: "8BITMIME", Keyword: "8bitmime", Bit: 0x400000}
	BINARYMIME   = Verb{Name: "BINARYMIME", Keyword: "BINARYMIME", Bit: 0x200000}
	CHUNKING     = Verb{Name: "CHUNKING", Keyword: "CHUNKING", Bit: 0x100000}
)

// All lists every controllable verb in IIS's EHLO order.
var All = []Verb{TURN, ATRN, ETRN, DSN, ENHANCEDSTATUSCODES, EightBitMIME, BINARYMIME, CHUNKING}

// Managed is the union of every bit a verb occupies. Bits outside it are
// unknown and never changed by smtpverbs.
const Managed Flags = 0x400 | 0x80 | 0x40 | 0x1000 | 0x400000 | 0x200000 | 0x100000

// PCI is the set of verbs a PCI baseline turns off.
var PCI = []Verb{TURN, ATRN, ETRN}

// elsewhere names verbs people expect here but that this property does not
// control, with what does control them on IIS.
var elsewhere = map[string]string{
	"VRFY": "IIS answers VRFY with 252 (\"cannot VRFY user\"), which scanners " +
		"accept; no metabase bit switches it off",
	"EXPN":       "IIS SMTP does not expand lists through EXPN; no metabase bit controls it",
	"AUTH":       "authentication is set by the AuthFlags property of the virtual server",
	"SIZE":       "the SIZE limit is the MaxMessageSize property of the virtual server",
	"PIPELINING": "pipelining is the Boolean property ShouldPipelineIn (ID 36902)",
	"STARTTLS": "STARTTLS is offered when a certificate is bound to the virtual " +
		"server (TLS settings in IIS Manager)",
	"TLS": "STARTTLS is offered when a certificate is bound to the virtual " +
		"server (TLS settings in IIS Manager)",
	"HELO": "HELO is part of every SMTP service and cannot be switched off",
	"EHLO": "EHLO is part of every SMTP service and cannot be switched off",
	"BDAT": "BDAT is the command behind CHUNKING: write CHUNKING instead",
}

// Lookup finds a controllable verb by name, in any case. It returns false for
// names it does not know; see Explain for a helpful message.
func Lookup(name string) (Verb, bool) {
	n := strings.ToUpper(strings.TrimSpace(name))
	for _, v := range All {
		if v.Name == n {
			return v, true
		}
	}
	return Verb{}, false
}

// ControlledElsewhere reports whether name is an SMTP verb that this
// property does not control, and if so says what does.
func ControlledElsewhere(name string) (string, bool) {
	why, ok := elsewhere[strings.ToUpper(strings.TrimSpace(name))]
	return why, ok
}

// Suggest returns the controllable verb name closest to name, or "" when none
// is close enough to be a likely typo.
func Suggest(name string) string {
	n := strings.ToUpper(strings.TrimSpace(name))
	best, bestDist := "", 3
	for _, v := range All {
		if d := distance(n, v.Name); d < bestDist {
			best, bestDist = v.Name, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Has reports whether the bit of v is set in f.
func (f Flags) Has(v Verb) bool {
	return f&v.Bit != 0
}

// Enabled lists the verbs whose bit is set in f, in EHLO order.
func (f Flags) Enabled() []Verb {
	var out []Verb
	for _, v := range All {
		if f.Has(v) {
			out = append(out, v)
		}
	}
	return out
}

// Unmanaged returns the bits of f that no verb occupies.
func (f Flags) Unmanaged() Flags {
	return f &^ Managed
}

// String formats f in lower-case hex as Mdutil does, e.g. 0x7574c1.
func (f Flags) String() string {
	return fmt.Sprintf("0x%x", uint32(f))
}

// Apply returns f with the bits of off cleared and the bits of on set,
// keeping every other bit: (f &^ off) | on.
func (f Flags) Apply(on, off Flags) Flags {
	return (f &^ off) | on
}

// Mask returns the union of the bits of vs.
func Mask(vs []Verb) Flags {
	var m Flags
	for _, v := range vs {
		m |= v.Bit
	}
	return m
}

// Change is one verb that a new value turns on or off.
type Change struct {
	Verb    Verb
	Enabled bool
}

// Diff lists the verbs whose state differs between from and to, in EHLO
// order. TURN and ATRN are listed separately even though they share a bit, so
// a reader sees every verb a scanner would.
func Diff(from, to Flags) []Change {
	var out []Change
	for _, v := range All {
		if from.Has(v) != to.Has(v) {
			out = append(out, Change{Verb: v, Enabled: to.Has(v)})
		}
	}
	return out
}

// Names returns the canonical names of vs, sorted in EHLO order.
func Names(vs []Verb) []string {
	order := map[string]int{}
	for i, v := range All {
		order[v.Name] = i
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Name)
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out
}
