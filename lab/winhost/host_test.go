package winhost

import (
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Settings)
		want   string
	}{
		{"windows", func(s *Settings) { s.Windows = "95" }, `windows version "95" is not ` +
			`supported; use one of 2000, 2003, 2008, 2008R2, 2012, 2012R2, 2016, 2019, 2022`},
		{"computer", func(s *Settings) { s.Computer = "MAIL 01" }, `computer name "MAIL 01" is ` +
			`not a NetBIOS name: use 1 to 15 letters, digits or hyphens, e.g. MAIL01`},
		{"mdutil path", func(s *Settings) { s.MdutilPath = "mdutil.exe" }, `mdutil path ` +
			`"mdutil.exe" must be an absolute Windows path ending in .exe, e.g. ` +
			`C:\Tools\mdutil.exe`},
		{"adsutil ext", func(s *Settings) { s.AdsutilPath = `C:\x\adsutil.js` }, `adsutil path ` +
			`"C:\x\adsutil.js" must be an absolute Windows path ending in .vbs, e.g. ` +
			`C:\Tools\adsutil.vbs`},
		{"exchange version", func(s *Settings) { s.Exchange = "2007" }, `exchange "2007" is ` +
			`not supported: use "", "2000" or "2003" (later Exchange versions do not use ` +
			`IIS SMTP)`},
		{"exchange on 2019", func(s *Settings) { s.Exchange = "2003" }, "Exchange 2003 runs " +
			"on Windows 2000 or 2003, not 2019: set Windows to 2003"},
		{"exchange 2000", func(s *Settings) { s.Windows, s.Exchange = "2003", "2000" },
			"Exchange 2000 runs on Windows 2000 only, not 2003: set Windows to 2000"},
		{"id", func(s *Settings) { s.Instances[0].ID = 0 },
			"virtual server ID 0 is invalid: IDs start at 1"},
		{"duplicate id", func(s *Settings) { s.Instances[1].ID = 1 },
			"virtual server 1 is listed twice"},
		{"port range", func(s *Settings) { s.Instances[1].Port = 70000 },
			"virtual server 2: port 70000 is out of range 1-65535"},
		{"same port", func(s *Settings) { s.Instances[1].Port = 25 },
			"virtual servers 1 and 2 both bind port 25: give each its own port"},
		{"directory without exchange", func(s *Settings) {
			s.Instances[0].DirectoryValue = u32(1)
		}, "virtual server 1 has a directory value but the host has no Exchange: set " +
			"Exchange or drop DirectoryValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSettings()
			tt.mutate(&s)
			_, err := New(s)
			if err == nil || err.Error() != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %s", err, tt.want)
			}
		})
	}
}

// TestValue checks INHERIT: explicit at the instance, inherited from the
// service key, or the schema default.
func TestValue(t *testing.T) {
	tests := []struct {
		name     string
		service  *uint32
		instance *uint32
		want     uint32
		source   string
	}{
		{"explicit", u32(7697601), u32(3503297), 3503297, "/LM/SmtpSvc/1"},
		{"inherited", u32(3503297), nil, 3503297, "/LM/SmtpSvc"},
		{"default", nil, nil, 7697601, "default"},
		{"explicit zero", nil, u32(0), 0, "/LM/SmtpSvc/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, func(s *Settings) {
				s.ServiceValue = tt.service
				s.Instances = []InstanceSettings{{ID: 1, Value: tt.instance}}
			})
			v, src := h.Value(1)
			if v != tt.want || src != tt.source {
				t.Errorf("wrong result\ngot:  %d from %s\nwant: %d from %s", v, src, tt.want,
					tt.source)
			}
		})
	}

	h := newHost(t, nil)
	if v, src := h.Value(7); v != 0 || src != "" {
		t.Errorf("wrong result\ngot:  %d from %q\nwant: 0 from \"\" for a missing instance",
			v, src)
	}
}

func TestSetValue(t *testing.T) {
	h := newHost(t, nil)
	if err := h.SetValue("/LM/SmtpSvc", u32(3503297)); err != nil {
		t.Fatal(err)
	}
	if v, src := h.Value(2); v != 3503297 || src != "/LM/SmtpSvc" {
		t.Errorf("wrong result\ngot:  %d from %s\nwant: 3503297 from /LM/SmtpSvc", v, src)
	}
	if err := h.SetValue("/LM/SmtpSvc/1", nil); err != nil {
		t.Fatal(err)
	}
	if v, src := h.Value(1); v != 3503297 || src != "/LM/SmtpSvc" {
		t.Errorf("wrong result\ngot:  %d from %s\nwant: 3503297 from /LM/SmtpSvc", v, src)
	}
	if got := h.Running().Instances[0].Flags; got != 7697601 {
		t.Errorf("wrong result\ngot:  running %d\nwant: unchanged until restart", got)
	}

	err := h.SetValue("/LM/SmtpSvc/9", u32(1))
	want := "set value at /LM/SmtpSvc/9: no such metabase key; use /LM/SmtpSvc or /LM/SmtpSvc/N"
	if err == nil || err.Error() != want {
		t.Errorf("wrong result\ngot:  %v\nwant: %s", err, want)
	}
}

func TestSettingsIsACopy(t *testing.T) {
	v := uint32(5)
	s := testSettings()
	s.ServiceValue = &v
	h, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	v = 6
	got := h.Settings()
	*got.Instances[0].Value = 1
	h.SetFaults(Faults{StartFails: true})

	again := h.Settings()
	if *again.ServiceValue != 5 || *again.Instances[0].Value != 7697601 {
		t.Errorf("wrong result\ngot:  %d, %d\nwant: 5, 7697601", *again.ServiceValue,
			*again.Instances[0].Value)
	}
	if !again.Faults.StartFails {
		t.Error("Settings does not report the faults set at run time")
	}
}

func TestBannerAndFQDN(t *testing.T) {
	tests := []struct{ windows, want string }{
		{"2000", "5.0.2195.6713"}, {"2003", "6.0.3790.3959"}, {"2008", "7.0.6002.18264"},
		{"2008r2", "7.5.7601.17514"}, {"2016", "10.0.14393.4169"},
		{"2019", "10.0.17763.1697"}, {"NT4", ""},
	}
	for _, tt := range tests {
		if got := BannerVersion(tt.windows); got != tt.want {
			t.Errorf("wrong result for %s\ngot:  %q\nwant: %q", tt.windows, got, tt.want)
		}
	}

	h := newHost(t, nil)
	if got := h.FQDN(); got != "mail01.corp.example" {
		t.Errorf("wrong result\ngot:  %s\nwant: mail01.corp.example", got)
	}
	bare := newHost(t, func(s *Settings) { s.Domain = "" })
	if got := bare.FQDN(); got != "mail01" {
		t.Errorf("wrong result\ngot:  %s\nwant: mail01", got)
	}
}

func TestMetabaseXML(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.ServiceValue = u32(3503297) })
	got := mustRun(t, h, `type %SystemRoot%\System32\inetsrv\MetaBase.xml`)
	golden(t, "metabase.xml.golden", got)

	// The file must parse as XML in its namespace, with the instance value
	// where a MetaBase.xml reader looks for it.
	var doc struct {
		XMLName xml.Name `xml:"urn:microsoft-catalog:XML_Metabase_V64_0 configuration"`
		Servers []struct {
			Location string `xml:"Location,attr"`
			Value    string `xml:"SmtpInboundCommandSupportOptions,attr"`
		} `xml:"MBProperty>IIsSmtpServer"`
	}
	if err := xml.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatalf("MetaBase.xml does not parse: %v", err)
	}
	if len(doc.Servers) != 2 || doc.Servers[0].Location != "/LM/SmtpSvc/1" ||
		doc.Servers[0].Value != "7697601" || doc.Servers[1].Value != "" {
		t.Errorf("wrong result\ngot:  %+v\nwant: /LM/SmtpSvc/1 7697601, /LM/SmtpSvc/2 unset",
			doc.Servers)
	}
	if !strings.Contains(got, "<IIsSmtpServer\tLocation =\"/LM/SmtpSvc/1\"\r\n") {
		t.Error("Location lacks the space before = that real files have")
	}

	// Writes show up in the file.
	mustRun(t, h, md+"set smtpsvc/2/36998 7696449")
	if got := mustRun(t, h, `type C:\Windows\System32\inetsrv\MetaBase.xml`); !strings.Contains(
		got, "SmtpInboundCommandSupportOptions=\"7696449\"") {
		t.Error("MetaBase.xml does not show the written value")
	}
}

// BenchmarkRun measures the interpreter on a provider-style read: markers,
// hostname, ver, sc query, tool detection and mdutil enum_all.
func BenchmarkRun(b *testing.B) {
	h := newHost(b, nil)
	line := `echo ==H== & hostname & ver & echo ==S== & sc query SMTPSVC & ` +
		`if exist "` + testMdutil + `" (echo mdutil) & echo ==M== & "` + testMdutil +
		`" enum_all -path:smtpsvc`
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := h.Run(ctx, line, nil, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmdlines/s")
}
