package views

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostics renders diags for a person: severity, summary, the source
// snippet from files with the subject underlined, and the detail wrapped to
// width columns (0: no wrapping). Colour is used only when color is true.
// Callers redact diags (config.Redact) and files (config.RedactFiles) first.
func Diagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool,
	width int) {
	if len(diags) == 0 {
		return
	}
	if width < 0 {
		width = 0
	}
	dw := hcl.NewDiagnosticTextWriter(w, files, uint(width), color)

	// A write error here means the output stream is gone; there is nowhere
	// left to report it.
	_ = dw.WriteDiagnostics(diags)
}

// DiagnosticJSON is one diagnostic in machine-readable output, shaped like
// Terraform's validate -json diagnostics.
type DiagnosticJSON struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *RangeJSON `json:"range,omitempty"`
}

// RangeJSON is a span of a configuration file. Lines and columns count
// from 1, bytes from 0; End is exclusive.
type RangeJSON struct {
	Filename string  `json:"filename"`
	Start    PosJSON `json:"start"`
	End      PosJSON `json:"end"`
}

// PosJSON is one position in a file.
type PosJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// NewDiagnosticJSON converts d for JSON output. Severity is "error" or
// "warning".
func NewDiagnosticJSON(d *hcl.Diagnostic) DiagnosticJSON {
	out := DiagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		out.Severity = "warning"
	}
	if d.Subject != nil {
		r := d.Subject
		out.Range = &RangeJSON{
			Filename: r.Filename,
			Start:    PosJSON{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
			End:      PosJSON{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
		}
	}
	return out
}

// ValidateJSON is the document validate -json prints.
type ValidateJSON struct {
	Valid        bool             `json:"valid"`
	ErrorCount   int              `json:"error_count"`
	WarningCount int              `json:"warning_count"`
	Diagnostics  []DiagnosticJSON `json:"diagnostics"`
}

// DiagnosticsJSON writes diags as the validate -json document: whether the
// configuration is valid (no errors), the counts, and every diagnostic.
// Callers redact diags first.
func DiagnosticsJSON(w io.Writer, diags hcl.Diagnostics) error {
	doc := ValidateJSON{Valid: true, Diagnostics: []DiagnosticJSON{}}
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			doc.WarningCount++
		} else {
			doc.ErrorCount++
			doc.Valid = false
		}
		doc.Diagnostics = append(doc.Diagnostics, NewDiagnosticJSON(d))
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write diagnostics: %w", err)
	}
	return nil
}
