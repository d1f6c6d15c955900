package views

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/scan"
)

// scanWidth is the column human scan output wraps its prose at.
const scanWidth = 80

// ScanHuman renders scan results for a person: per target what the server
// is and offers, then each finding with its evidence, why it matters and the
// remedy, then a summary line. Colour is used only when color is true.
func ScanHuman(w io.Writer, results []*scan.Result, st Style) {
	pt := newPainter(st, scanWidth)
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		scanTarget(w, r, pt)
	}

	s := summarize(results)
	fmt.Fprintf(w, "\nScanned %d %s: %d with findings, %d clean, %d failed.\n", s.Targets,
		plural(s.Targets, "target", "targets"), s.WithFindings, s.Clean, s.Errors)
}

// scanTarget renders one result.
func scanTarget(w io.Writer, r *scan.Result, pt painter) {
	title := r.Target
	if r.Addr != "" && r.Addr != r.Target {
		title += " (" + r.Addr + ")"
	}
	fmt.Fprintln(w, pt.bold(title))

	if r.Banner != "" {
		fmt.Fprintf(w, "  Server:  %s\n", serverLine(r.Server))
		fmt.Fprintf(w, "  Banner:  %s\n", r.Banner)
	}
	switch {
	case r.UsedHELO:
		fmt.Fprintln(w, "  EHLO:    refused (HELO used)")
	case r.EHLORaw != nil:
		fmt.Fprintf(w, "  EHLO:    %s\n", strings.Join(r.EHLO, " "))
	}
	if len(r.Verbs) > 0 {
		fmt.Fprintf(w, "  Verbs:   %s\n", verbLine(r))
	}
	if r.Relay != nil {
		verdict := "refused"
		if r.Relay.Code == 250 || r.Relay.Code == 251 {
			verdict = pt.red("ACCEPTED")
		}
		fmt.Fprintf(w, "  Relay:   %s (%s)\n", r.Relay.Lines[0], verdict)
	}
	if r.TLS != nil {
		fmt.Fprintf(w, "  TLS:     %s\n", tlsLine(r.TLS))
	}
	if r.Err != nil {
		fmt.Fprintf(w, "  %s %v\n", pt.red("Error:"), r.Err)
	}

	for _, f := range r.Findings {
		fmt.Fprintln(w)
		sev := "[" + f.Severity + "]"
		switch f.Severity {
		case scan.SeverityHigh:
			sev = pt.red(sev)
		case scan.SeverityMedium, scan.SeverityLow:
			sev = pt.yellow(sev)
		}
		fmt.Fprintf(w, "  %s %s  %s\n", sev, pt.bold(f.ID), f.Title)
		if f.Severity == scan.SeverityInfo {
			// Information only: the remedy is enough; -json has the rest.
			writeWrapped(w, pt, "    Remedy: ", f.Remedy)
			continue
		}
		fmt.Fprintln(w, "    Seen:")
		for _, l := range strings.Split(f.Evidence, "\n") {
			fmt.Fprintf(w, "      %s\n", l)
		}
		writeWrapped(w, pt, "    Why:    ", f.Why)
		writeWrapped(w, pt, "    Remedy: ", f.Remedy)
		if len(f.Refs) > 0 {
			fmt.Fprintf(w, "    Refs:   %s\n", strings.Join(f.Refs, ", "))
		}
	}
}

// serverLine describes the recognised server in a few words.
func serverLine(s scan.Server) string {
	out := s.Product
	if s.Version != "" {
		out += " " + s.Version
	}
	if s.Windows != "" {
		out += " (" + s.Windows + ")"
	}
	return out
}

// verbLine lists each active try: verb, reply code, and whether the verb
// is advertised and accepted.
func verbLine(r *scan.Result) string {
	var parts []string
	for _, v := range []string{"TURN", "ATRN", "ETRN", "VRFY", "EXPN"} {
		rep, ok := r.Verbs[v]
		if !ok {
			continue
		}
		var marks []string
		if r.Advertises(v) {
			marks = append(marks, "advertised")
		}
		if r.Accepts(v) {
			marks = append(marks, "accepted")
		}
		p := fmt.Sprintf("%s %d", v, rep.Code)
		if len(marks) > 0 {
			p += " (" + strings.Join(marks, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// tlsLine describes the STARTTLS outcome.
func tlsLine(t *scan.TLSInfo) string {
	if t.Error != "" {
		return "failed: " + t.Error
	}
	out := t.Version + " " + t.CipherSuite
	if t.Subject != "" {
		out += ", certificate " + t.Subject
	}
	if !t.NotAfter.IsZero() {
		out += ", expires " + t.NotAfter.Format("2006-01-02")
	}
	return out
}

// writeWrapped writes text after label, wrapped to the painter's width with
// later lines indented under the first.
func writeWrapped(w io.Writer, pt painter, label, text string) {
	para{label: label, text: text}.write(w, pt.width)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ScanSummary counts results by outcome.
type ScanSummary struct {
	Targets      int `json:"targets"`
	WithFindings int `json:"with_findings"`
	Clean        int `json:"clean"`
	Errors       int `json:"errors"`
}

func summarize(results []*scan.Result) ScanSummary {
	s := ScanSummary{Targets: len(results)}
	for _, r := range results {
		switch {
		case r.Err != nil:
			s.Errors++
		case r.HasFindings():
			s.WithFindings++
		default:
			s.Clean++
		}
	}
	return s
}

// ScanFormatVersion is the version of the scan -json document. It changes
// only when a field changes meaning or goes away.
const ScanFormatVersion = "1"

// scanDocument is the scan -json document.
type scanDocument struct {
	FormatVersion string           `json:"format_version"`
	ToolVersion   string           `json:"tool_version"`
	ScannedAt     time.Time        `json:"scanned_at"`
	Results       []scanResultJSON `json:"results"`
	Summary       ScanSummary      `json:"summary"`
}

// scanResultJSON is a result with its error as text.
type scanResultJSON struct {
	*scan.Result
	Error string `json:"error,omitempty"`
}

// ScanJSON writes results as one indented JSON document: format and tool
// version, the time of the scan, every result with its transcript and
// findings, and the summary.
func ScanJSON(w io.Writer, results []*scan.Result, toolVersion string, at time.Time) error {
	doc := scanDocument{FormatVersion: ScanFormatVersion, ToolVersion: toolVersion,
		ScannedAt: at.UTC(), Results: []scanResultJSON{}, Summary: summarize(results)}
	for _, r := range results {
		rj := scanResultJSON{Result: r}
		if r.Err != nil {
			rj.Error = r.Err.Error()
		}
		doc.Results = append(doc.Results, rj)
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write scan results as JSON: %w", err)
	}
	return nil
}
