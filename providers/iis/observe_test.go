package iis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

const (
	scRunning = "SERVICE_NAME: SMTPSVC\n        STATE              : 4  RUNNING\n"
	scStopped = "SERVICE_NAME: SMTPSVC\n        STATE              : 1  STOPPED\n"
	scMissing = "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\n" +
		"The specified service does not exist as an installed service.\n"
	ver2003 = "\nMicrosoft Windows [Version 5.2.3790]\n"
	ver2019 = "\nMicrosoft Windows [Version 10.0.17763.1697]\n"
)

// fakeRead is what a host prints for readCommand, section by section.
type fakeRead struct {
	ver, smtpsvc, resvc string
	mdutil, adsutil     string // "" = the tool is absent
	cut                 bool   // stop before the end marker
}

// output renders r as the stdout of readCommand, with CRLF line ends.
func (r fakeRead) output(t tools) string {
	var b strings.Builder
	sec := func(name, body string) {
		b.WriteString(markerPrefix + name + "-- \n" + body)
	}
	sec(secHostname, "MAIL01\n")
	sec(secVer, r.ver)
	sec(secSMTPSVC, r.smtpsvc)
	sec(secRESvc, r.resvc)
	for _, tool := range []struct {
		name, out string
		used      bool
	}{{secMdutil, r.mdutil, t.useMdutil()}, {secAdsutil, r.adsutil, t.useAdsutil()}} {
		if !tool.used {
			continue
		}
		if tool.out == "" {
			sec(tool.name, markerPrefix+tool.name+absentSuffix+"--\n")
			continue
		}
		sec(tool.name, tool.out)
	}
	if !r.cut {
		sec(secEnd, "")
	}
	return crlf(b.String())
}

var autoTools = tools{Method: "auto", Mdutil: DefaultMdutilPath, Adsutil: DefaultAdsutilPath}

func TestObserve(t *testing.T) {
	svcUnset := "[/smtpsvc/1]\n36998 : [IS] (DWORD) 0x757041={7696449}\n" +
		"ServerBindings : [IS] (MULTISZ) \":25:\"\n" +
		"[/smtpsvc/2]\nKeyType : [S] (STRING) \"IIsSmtpServer\"\n"
	svcNoInherit := "36998 : [S] (DWORD) 0x757441={7697473}\n[/smtpsvc/1]\n"

	tests := []struct {
		name  string
		read  fakeRead
		tools tools
		vs    []int
		want  *providers.Observation
	}{
		{
			name:  "explicit and inherited with mdutil",
			read:  fakeRead{ver: ver2019, smtpsvc: scRunning, resvc: scMissing, mdutil: mdutilEnum},
			tools: autoTools,
			want: &providers.Observation{
				Hostname: "MAIL01", OS: "Microsoft Windows [Version 10.0.17763.1697]",
				Service: 0x757441, ServiceSet: true, SMTPState: "RUNNING",
				Method: "mdutil", Manageable: true,
				Instances: []providers.Instance{
					{ID: 1, Path: "/LM/SmtpSvc/1", Value: 0x757441,
						Source: providers.SourceService, Ports: []int{25}},
					{ID: 2, Path: "/LM/SmtpSvc/2", Value: 0x757041,
						Source: providers.SourceExplicit, Ports: []int{2525, 2526}},
				},
			},
		},
		{
			name: "adsutil when mdutil is absent, restricted to instance 2",
			read: fakeRead{ver: ver2003, smtpsvc: scStopped, resvc: scMissing,
				adsutil: adsutilEnum},
			tools: autoTools,
			vs:    []int{2},
			want: &providers.Observation{
				Hostname: "MAIL01", OS: "Microsoft Windows [Version 5.2.3790]",
				Service: 0x757441, ServiceSet: true, SMTPState: "STOPPED",
				Method: "adsutil", Manageable: true,
				Instances: []providers.Instance{
					{ID: 2, Path: "/LM/SmtpSvc/2", Value: 0x757041,
						Source: providers.SourceExplicit, Ports: []int{2525, 2526}},
				},
			},
		},
		{
			name:  "schema default when the service key is unset",
			read:  fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: svcUnset},
			tools: autoTools,
			want: &providers.Observation{
				Hostname: "MAIL01", OS: "Microsoft Windows [Version 10.0.17763.1697]",
				SMTPState: "RUNNING", Method: "mdutil", Manageable: true,
				Instances: []providers.Instance{
					{ID: 1, Path: "/LM/SmtpSvc/1", Value: 0x757041,
						Source: providers.SourceExplicit, Ports: []int{25}},
					{ID: 2, Path: "/LM/SmtpSvc/2", Value: verb.SchemaDefault,
						Source: providers.SourceDefault},
				},
			},
		},
		{
			name:  "service value without INHERIT is not inherited",
			read:  fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: svcNoInherit},
			tools: autoTools,
			want: &providers.Observation{
				Hostname: "MAIL01", OS: "Microsoft Windows [Version 10.0.17763.1697]",
				Service: 0x757441, ServiceSet: true, SMTPState: "RUNNING",
				Method: "mdutil", Manageable: true,
				Instances: []providers.Instance{
					{ID: 1, Path: "/LM/SmtpSvc/1", Value: verb.SchemaDefault,
						Source: providers.SourceDefault},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := observe(sections(tt.read.output(tt.tools)), "", tt.tools, tt.vs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("wrong result\ngot: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestObserve_unmanageable(t *testing.T) {
	exchange := "SERVICE_NAME: RESvc\n        STATE              : 4  RUNNING\n"
	tests := []struct {
		name       string
		read       fakeRead
		tools      tools
		wantReason string
		wantRemedy string
	}{
		{"Exchange on Windows Server 2003",
			fakeRead{ver: ver2003, smtpsvc: scRunning, resvc: exchange, mdutil: mdutilEnum},
			autoTools, "Exchange Server 2003 is installed: DS2MB overwrites the metabase",
			"msExchSmtpInboundCommandSupportOptions"},
		{"Exchange on Windows 2000",
			fakeRead{ver: "Microsoft Windows 2000 [Version 5.00.2195]\n", smtpsvc: scRunning,
				resvc: exchange, adsutil: adsutilEnum},
			autoTools, "Exchange 2000 Server or Exchange Server 2003 is installed",
			"Exchange System Manager"},
		{"no tools", fakeRead{ver: ver2019, smtpsvc: scRunning}, autoTools,
			"neither mdutil.exe", "Web-Lgcy-Scripting"},
		{"adsutil only wanted but absent",
			fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: mdutilEnum},
			tools{Method: "adsutil", Adsutil: `D:\adsutil.vbs`},
			`adsutil.vbs is not at D:\adsutil.vbs`, "IIS 6 Scripting Tools"},
		{"mdutil only wanted but absent",
			fakeRead{ver: ver2019, smtpsvc: scRunning, adsutil: adsutilEnum},
			tools{Method: "mdutil", Mdutil: DefaultMdutilPath},
			"mdutil.exe is not at", "Windows 2000 CD"},
		{"no SMTP service", fakeRead{ver: ver2019, smtpsvc: scMissing}, autoTools,
			"SMTPSVC) is not installed", "SMTP-Server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := observe(sections(tt.read.output(tt.tools)), "", tt.tools, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Manageable || !strings.Contains(got.Reason, tt.wantReason) ||
				!strings.Contains(got.Remedy, tt.wantRemedy) {
				t.Errorf("wrong result\ngot: manageable %v, %q, remedy %q\nwant: %q, remedy %q",
					got.Manageable, got.Reason, got.Remedy, tt.wantReason, tt.wantRemedy)
			}
		})
	}
}

func TestObserve_errors(t *testing.T) {
	tests := []struct {
		name       string
		read       fakeRead
		vs         []int
		wantErr    string
		wantRemedy string
	}{
		{"missing virtual server",
			fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: mdutilEnum}, []int{1, 3},
			"virtual server 3 (/LM/SmtpSvc/3) does not exist; found: /LM/SmtpSvc/1, " +
				"/LM/SmtpSvc/2", "virtual_servers"},
		{"output cut short",
			fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: mdutilEnum, cut: true}, nil,
			"stopped before its end", ""},
		{"metabase read denied",
			fakeRead{ver: ver2019, smtpsvc: scRunning,
				mdutil: "Error: EnumData - HRES(0x80070005) E_ACCESSDENIED\n"}, nil,
			"read the metabase with mdutil: Error: EnumData", "local Administrators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := observe(sections(tt.read.output(autoTools)), "", autoTools, tt.vs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("wrong error\ngot: %v\nwant text: %s", err, tt.wantErr)
			}
			remedy := ""
			if re, ok := err.(*remedyError); ok {
				remedy = re.remedy
			}
			if !strings.Contains(remedy, tt.wantRemedy) {
				t.Errorf("wrong remedy\ngot: %q\nwant text: %q", remedy, tt.wantRemedy)
			}
		})
	}
}
