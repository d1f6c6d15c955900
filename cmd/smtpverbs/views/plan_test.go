package views

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/internal/golden"
	"github.com/smtpverbs/smtpverbs/plan"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

var planTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// instance builds a planned instance the way the engine does.
func instance(id int, src providers.Source, observed verb.Flags) *plan.Instance {
	in := &plan.Instance{ID: id, Path: "/LM/SmtpSvc/" + string(rune('0'+id)),
		Observed: observed, Source: src, Target: observed &^ 0x480}
	for _, c := range verb.Diff(in.Observed, in.Target) {
		a := plan.ActionDisable
		if c.Enabled {
			a = plan.ActionEnable
		}
		in.Changes = append(in.Changes, plan.Change{Verb: c.Verb.Name, Action: a})
	}
	return in
}

// samplePlan is the plan of the README: one host of each status.
func samplePlan() *plan.Plan {
	pci := []string{"TURN", "ATRN", "ETRN"}
	hosts := []*plan.Host{
		{Name: "mail01", Address: "10.0.0.5", Status: plan.StatusChange, Disable: pci,
			Instances: []*plan.Instance{instance(1, providers.SourceService, 0x7574c1)}},
		{Name: "mail02", Address: "10.0.0.6", Status: plan.StatusCompliant, Disable: pci,
			Instances: []*plan.Instance{instance(1, providers.SourceExplicit, 0x757041)}},
		{Name: "mail03", Address: "10.0.0.7", Status: plan.StatusCannotChange, Disable: pci,
			Reason: "Exchange Server 2003 is installed: DS2MB overwrites the metabase " +
				"from Active Directory",
			Remedy: "set msExchSmtpInboundCommandSupportOptions on the SMTP virtual server " +
				"object in Active Directory with ADSI Edit, or change the virtual server in " +
				"Exchange System Manager",
			Instances: []*plan.Instance{instance(1, providers.SourceDefault, 0x7574c1)}},
		{Name: "mail04", Address: "10.0.0.8", Status: plan.StatusUnreachable,
			Reason: "dial tcp 10.0.0.8:5986: connection refused",
			Remedy: "check that the host is up, that WinRM listens on port 5986 (winrm " +
				"quickconfig; winrm enumerate winrm/config/listener) and that no firewall " +
				"blocks it"},
		{Name: "mail05", Address: "10.0.0.9", Status: plan.StatusChange, Disable: pci,
			Exceptions: []plan.Exception{{Name: "legacy-etrn", Verb: "ETRN",
				Expires: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)}},
			Instances: []*plan.Instance{
				instance(1, providers.SourceExplicit, 0x757041),
				instance(2, providers.SourceExplicit, 0x3574c1),
			}},
		{Name: "mail06", Address: "10.0.0.10", Status: plan.StatusCompliant, Disable: pci,
			PendingRestart: true, PendingReason: "live SMTP on 10.0.0.10:25 (/LM/SmtpSvc/1) " +
				"offers TURN, which the metabase has off: SMTPSVC was not restarted since " +
				"the change, or something else overrides the metabase; restart SMTPSVC (net " +
				"stop smtpsvc && net start smtpsvc) and plan again",
			Instances: []*plan.Instance{instance(1, providers.SourceExplicit, 0x757041)}},
		{Name: "mail07", Address: "10.0.0.11", Status: plan.StatusAuthFailed,
			Reason: "http response error: 401 - invalid content type"},
	}
	p := &plan.Plan{FormatVersion: "1", ToolVersion: "0.1.0-test", CreatedAt: planTime,
		ConfigDigest: "sha256:0123456789abcdef", Hosts: hosts}
	p.Summary = plan.Summary{Hosts: 7, Change: 2, VerbChanges: 6, Compliant: 2,
		CannotChange: 1, Unreachable: 1, AuthFailed: 1, PendingRestart: 1}
	return p
}

func TestPlanHuman_golden(t *testing.T) {
	tests := []struct {
		name  string
		color bool
	}{
		{"plan.golden", false},
		{"plan-color.golden", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			PlanHuman(&buf, samplePlan(), Style{Color: tt.color})
			checkPlanGolden(t, tt.name, buf.Bytes())
			if !tt.color {
				if strings.Contains(buf.String(), "\x1b[") {
					t.Errorf("colour codes in uncoloured output")
				}
				checkWidth(t, buf.String())
			}
		})
	}
}

func TestShowPlan_staleWarning(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"fresh", planTime.Add(time.Hour), false},
		{"three days old", planTime.Add(72 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			ShowPlan(&buf, samplePlan(), tt.now, Style{})
			got := strings.Contains(buf.String(), "Warning: this plan is 3 days old")
			if got != tt.want {
				t.Errorf("wrong result\ngot:  warning=%v\nwant: warning=%v\n%s", got, tt.want,
					buf.String())
			}
			if !strings.Contains(buf.String(), "Plan: 2 hosts to change") {
				t.Errorf("saved plan not rendered:\n%s", buf.String())
			}
		})
	}
}

func TestPlanSummaryLine(t *testing.T) {
	tests := []struct {
		s    plan.Summary
		want string
	}{
		{plan.Summary{Compliant: 2}, "Plan: 0 hosts to change, 2 compliant."},
		{plan.Summary{Change: 1, VerbChanges: 3, Compliant: 1, CannotChange: 1,
			Unreachable: 1}, "Plan: 1 host to change (3 verbs), 1 compliant, 1 cannot " +
			"change, 1 unreachable."},
		{plan.Summary{Change: 2, VerbChanges: 1, Errored: 1},
			"Plan: 2 hosts to change (1 verb), 1 failed."},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := PlanSummaryLine(tt.s); got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestPlanDiff_golden(t *testing.T) {
	var buf bytes.Buffer
	PlanDiff(&buf, samplePlan())
	checkPlanGolden(t, "plan.diff.golden", buf.Bytes())

	// A compliant plan has no diff at all.
	buf.Reset()
	PlanDiff(&buf, &plan.Plan{Hosts: samplePlan().Hosts[1:2]})
	if buf.Len() != 0 {
		t.Errorf("wrong result\ngot:  %q\nwant: nothing", buf.String())
	}
}

func TestHunks(t *testing.T) {
	ops := func(kinds string) []lineOp {
		var out []lineOp
		for i, k := range kinds {
			out = append(out, lineOp{kind: byte(k), text: string(rune('a' + i))})
		}
		return out
	}
	tests := []struct {
		name  string
		kinds string
		want  []string // hunk headers
	}{
		{"one change in the middle", "          -+          ", []string{"@@ -8,7 +8,7 @@"}},
		{"changes close together merge", "   -      +   ", []string{"@@ -1,13 +1,13 @@"}},
		{"changes far apart split", "-              +",
			[]string{"@@ -1,4 +1,3 @@", "@@ -13,3 +12,4 @@"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range hunks(ops(tt.kinds)) {
				var buf bytes.Buffer
				h.write(&buf)
				got = append(got, strings.SplitN(buf.String(), "\n", 2)[0])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
}

// checkPlanGolden compares got with testdata/name (see package golden).
func checkPlanGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

// checkWidth fails when a line of out is wider than DefaultWidth. Summary
// lines are exempt: they stay whole so that scripts can grep them.
func checkWidth(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		summary := strings.HasPrefix(line, "Plan: ") || strings.HasPrefix(line, "Apply: ")
		if len(line) > DefaultWidth && !summary {
			t.Errorf("wrong result\ngot:  a line of %d columns: %s\nwant: at most %d",
				len(line), line, DefaultWidth)
		}
	}
}

func TestPlanHuman_cannotChangeIsNoDiff(t *testing.T) {
	p := samplePlan()
	p.Hosts = p.Hosts[2:3] // mail03: Exchange, cannot change
	var buf bytes.Buffer
	PlanHuman(&buf, p, Style{})
	out := buf.String()
	for _, bad := range []string{"- TURN", "+ ", "->", "unmanaged bits"} {
		if strings.Contains(out, bad) {
			t.Errorf("wrong result\ngot:  %q in the plan of a host that cannot change:\n%s"+
				"want: nothing that reads as a change", bad, out)
		}
	}
	want := "would change if it could be written (smtpverbs will not write this host):\n" +
		"          TURN is on, the policy wants it off\n"
	if !strings.Contains(out, want) {
		t.Errorf("wrong result\ngot:\n%s\nwant: containing\n%s", out, want)
	}
}

func TestPara_write(t *testing.T) {
	tests := []struct {
		name string
		p    para
		want string
	}{
		{"fits, spaces collapsed", para{indent: "  ", label: "Remedy: ", text: "start \n it"},
			"  Remedy: start it\n"},
		{"hangs under the text", para{indent: "  ", label: "Remedy: ",
			text: "aaaa bbbb cccc dddd"}, "  Remedy: aaaa bbbb\n          cccc dddd\n"},
		{"long word keeps its own line", para{label: "x: ", text: "a 0123456789abcdefghij b"},
			"x: a\n   0123456789abcdefghij\n   b\n"},
		{"painted label of given width", para{label: "<y>w: </y>", labelWidth: 3,
			text: "aaaa bbbb cccc dddd eeee", paint: func(s string) string {
				return "<y>" + s + "</y>"
			}}, "<y>w: </y><y>aaaa bbbb cccc</y>\n   <y>dddd eeee</y>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.p.write(&buf, 20)
			if buf.String() != tt.want {
				t.Errorf("wrong result\ngot:\n%s\nwant:\n%s", buf.String(), tt.want)
			}
		})
	}
}

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n",
			"--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"newline added at the end", "a\nb", "a\nb\n",
			"--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			UnifiedDiff(&buf, "old", "new", tt.before, tt.after)
			if buf.String() != tt.want {
				t.Errorf("wrong result\ngot:\n%s\nwant:\n%s", buf.String(), tt.want)
			}
		})
	}
}
