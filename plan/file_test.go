package plan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/internal/golden"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// samplePlan makes a plan of five hosts covering every interesting case.
func samplePlan(t *testing.T) (*Plan, *config.Config) {
	t.Helper()
	explicit := newFakeHost("mail01", "10.0.0.5", verb.SchemaDefault)
	compliant := newFakeHost("mail02", "10.0.0.6", pciValue)
	exchange := newFakeHost("mail03", "10.0.0.7", verb.SchemaDefault)
	exchange.obs.Manageable = false
	exchange.obs.Reason = "Exchange Server 2003 is installed: DS2MB overwrites the " +
		"metabase from Active Directory"
	exchange.obs.Remedy = "Set msExchSmtpInboundCommandSupportOptions on the SMTP " +
		"virtual server object with ADSI Edit."
	two := newFakeHost("mail05", "10.0.0.9", verb.SchemaDefault, 0x3574c1)
	two.obs.Instances[0].Source = providers.SourceService
	two.obs.Instances[1].Source = providers.SourceDefault
	fp := newFakeProvider(explicit, compliant, exchange, two)

	cfg := testConfig(testServer("mail01", "10.0.0.5"), testServer("mail02", "10.0.0.6"),
		testServer("mail03", "10.0.0.7"), testServer("mail04", "10.0.0.8"),
		testServer("mail05", "10.0.0.9"))
	etrn := &config.Exception{Name: "legacy-etrn", Verb: verb.ETRN,
		Justification: "Partner pulls mail with ETRN (CHG-1234)", ApprovedBy: "J. Smith",
		Expires: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)}
	cfg.Servers[0].Exceptions = []config.AppliedException{{Exception: etrn, Active: false}}

	opts := testOptions(fp)
	opts.Targets = []string{"group.pci"}
	p, err := Make(context.Background(), cfg, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, cfg
}

func TestMarshal_golden(t *testing.T) {
	p, _ := samplePlan(t)
	got, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "planfile.golden", got)
	if bytes.Contains(got, []byte(testPassword)) {
		t.Errorf("the plan file holds the password")
	}
}

func TestMarshal_roundTrip(t *testing.T) {
	p, _ := samplePlan(t)
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	again, err := Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("wrong result\ngot:  %s\nwant: %s", again, data)
	}
	if !reflect.DeepEqual(back.Summary, p.Summary) {
		t.Errorf("wrong summary\ngot:  %+v\nwant: %+v", back.Summary, p.Summary)
	}
}

func TestWriteFile_ReadFile(t *testing.T) {
	p, _ := samplePlan(t)
	path := filepath.Join(t.TempDir(), "review.plan")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if len(back.Hosts) != 5 || back.Hosts[0].Instances[0].Target != pciValue {
		t.Errorf("wrong result\ngot:  %d hosts\nwant: 5 with the planned targets",
			len(back.Hosts))
	}

	_, err = ReadFile(filepath.Join(t.TempDir(), "missing.plan"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("wrong error\ngot:  %v\nwant: file does not exist", err)
	}
}

func TestUnmarshal_rejects(t *testing.T) {
	p, _ := samplePlan(t)
	good, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(good), old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}

	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "  \n", "empty"},
		{"not JSON", "terraform plan output", "not valid plan JSON"},
		{"foreign JSON", `{"resource_changes":[]}`, "no format_version"},
		{"terraform plan", `{"format_version":"1.2","terraform_version":"1.9.0"}`,
			`format_version is "1.2"`},
		{"no digest", edit(`"config_digest": "sha256:0123456789abcdef0123456789abcdef"`,
			`"config_digest": ""`), "no config_digest"},
		{"bad status", edit(`"status": "change"`, `"status": "maybe"`), `unknown status`},
		{"bad hex", edit(`"target": "0x757041"`, `"target": "757041"`), "not a hex value"},
		{"decimal differs", edit(`"target_decimal": 7696449`, `"target_decimal": 7697601`),
			"hex and decimal values differ"},
		{"target edited", edit(`"target": "0x757041",
          "target_decimal": 7696449`, `"target": "0x757441",
          "target_decimal": 7697473`), "do not follow"},
		{"truncated", string(good[:len(good)/2]), "not valid plan JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("wrong error\ngot:  %v\nwant: containing %q", err, tt.want)
			}
		})
	}
}

func TestPlan_Bind(t *testing.T) {
	tests := []struct {
		name string
		edit func(cfg *config.Config)
		want string // "" for success
	}{
		{"same configuration", func(cfg *config.Config) {}, ""},
		{"configuration changed", func(cfg *config.Config) { cfg.Digest = "sha256:ffff" },
			"configuration changed after the plan was made"},
		{"server removed", func(cfg *config.Config) { cfg.Servers = cfg.Servers[1:] },
			`server "mail01" of the plan is not in the configuration`},
		{"address changed by a variable", func(cfg *config.Config) {
			cfg.Servers[0].Address = "10.9.9.9"
		}, "now has address 10.9.9.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, cfg := samplePlan(t)
			data, err := Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Unmarshal(data)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(cfg)

			err = back.Bind(cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want == "" && back.Hosts[0].server != cfg.Servers[0]:
				t.Errorf("wrong result: host not bound to its server")
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("wrong error\ngot:  %v\nwant: containing %q", err, tt.want)
			}
		})
	}
}

func TestApply_fromPlanFile(t *testing.T) {
	// A saved plan is applied on fresh sessions with the configuration's
	// credentials, and a host changed since is skipped as stale.
	p, cfg := samplePlan(t)
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Bind(cfg); err != nil {
		t.Fatal(err)
	}

	fp := newFakeProvider(newFakeHost("mail01", "10.0.0.5", verb.SchemaDefault),
		newFakeHost("mail05", "10.0.0.9", verb.SchemaDefault, 0x3574c0))
	r := Apply(context.Background(), back, applyOptions(fp))

	var got []Outcome
	for _, hr := range r.Hosts {
		got = append(got, hr.Outcome)
	}
	want := []Outcome{OutcomeApplied, OutcomeUnchanged, OutcomeCannotChange,
		OutcomeUnreachable, OutcomeStale}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wrong outcomes\ngot:  %v\nwant: %v", got, want)
	}
	if got := fp.host("10.0.0.5").value(1); got != pciValue {
		t.Errorf("wrong value\ngot:  %s\nwant: %s", got, pciValue)
	}
}

// checkGolden compares got with testdata/name (see package golden).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}
