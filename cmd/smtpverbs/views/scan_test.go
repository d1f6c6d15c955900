package views

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/scan"
	"github.com/smtpverbs/smtpverbs/verb"
)

// scanResults probes three fixed lab servers and one failure, and replaces
// what changes between runs (banner dates, ports) so the output can be compared
// with golden files.
func scanResults(t *testing.T) []*scan.Result {
	t.Helper()
	cfgs := []smtpd.Config{
		{Hostname: "mail01.corp.example", Version: "10.0.17763.1697", Flags: verb.SchemaDefault},
		{Hostname: "mail02.corp.example", Version: "6.0.3790.3959",
			Flags: verb.SchemaDefault &^ 0x480},
		{Hostname: "mail03.corp.example", Version: "6.0.3790.3959",
			Flags: verb.SchemaDefault &^ 0x480, OpenRelay: true},
	}
	var targets []string
	for _, cfg := range cfgs {
		srv, err := smtpd.Listen(context.Background(), "127.0.0.1:0", cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		targets = append(targets, srv.Addr())
	}

	rs := scan.ScanAll(context.Background(), targets,
		scan.Options{Relay: true, STARTTLS: true})
	for i, r := range rs {
		r.Target = cfgs[i].Hostname
		r.Addr = strings.Replace(cfgs[i].Hostname, "corp.example", "corp.example:25", 1)
		r.Banner = stableBanner(r.Banner)
		for j, l := range r.Transcript {
			r.Transcript[j].Text = stableBanner(l.Text)
		}
	}
	failed := &scan.Result{Target: "mail04.corp.example", Addr: "mail04.corp.example:25",
		Server: scan.Server{Family: scan.FamilyUnknown, Product: "unknown"},
		Err:    errors.New("connect to mail04.corp.example:25: connection refused")}
	return append(rs, failed)
}

// stableBanner replaces the date in an IIS banner with a fixed one.
func stableBanner(s string) string {
	if i := strings.Index(s, "ready at  "); i >= 0 {
		return s[:i] + "ready at  Sun, 1 Mar 2026 12:00:00 +0000"
	}
	return s
}

func TestScanHuman(t *testing.T) {
	rs := scanResults(t)
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		ScanHuman(&buf, rs, Style{Color: color})
		name := "scan.golden"
		if color {
			name = "scan-color.golden"
		}
		checkPlanGolden(t, name, buf.Bytes())
	}
}

func TestScanJSON(t *testing.T) {
	rs := scanResults(t)
	var buf bytes.Buffer
	if err := ScanJSON(&buf, rs, "1.2.3", planTime); err != nil {
		t.Fatal(err)
	}
	checkPlanGolden(t, "scan.json.golden", buf.Bytes())

	// Scripts rely on these fields.
	var doc struct {
		FormatVersion string `json:"format_version"`
		Results       []struct {
			Target   string
			Error    string
			Findings []struct{ ID string }
		}
		Summary ScanSummary
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := ScanSummary{Targets: 4, WithFindings: 2, Clean: 1, Errors: 1}
	if doc.FormatVersion != "1" || doc.Summary != want || doc.Results[3].Error == "" ||
		doc.Results[0].Findings[0].ID != "SV-TURN" {
		t.Errorf("wrong result\ngot:  %+v\nwant: version 1, summary %+v", doc, want)
	}
}

func TestWriteWrapped(t *testing.T) {
	tests := []struct {
		name  string
		style Style
		want  int // widest line allowed
	}{
		{"not a terminal", Style{}, scanWidth},
		{"narrow terminal", Style{Width: 60}, 60},
		{"wide terminal", Style{Width: 200}, scanWidth},
		{"absurdly narrow terminal", Style{Width: 10}, minWidth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			writeWrapped(&buf, newPainter(tt.style, scanWidth), "  Why: ",
				strings.Repeat("word ", 30))
			widest := 0
			for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				widest = max(widest, len(l))
				if !strings.HasPrefix(l, "  ") {
					t.Errorf("line %q is not indented", l)
				}
			}
			if widest > tt.want || widest < tt.want-6 {
				t.Errorf("wrong width\ngot:  %d columns\nwant: wrapped near %d", widest, tt.want)
			}
		})
	}
}
