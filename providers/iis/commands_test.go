package iis

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	goldenfile "github.com/smtpverbs/smtpverbs/internal/golden"
	"github.com/smtpverbs/smtpverbs/providers"
)

// golden compares got with testdata/name.golden (see package golden).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

func TestToolsFor(t *testing.T) {
	tests := []struct {
		name    string
		host    providers.Host
		want    tools
		wantErr string
	}{
		{"defaults", providers.Host{},
			tools{Method: "auto", Mdutil: DefaultMdutilPath, Adsutil: DefaultAdsutilPath}, ""},
		{"given", providers.Host{Method: " ADSUTIL ", AdsutilPath: `D:\Scripts\adsutil.vbs`},
			tools{Method: "adsutil", Mdutil: DefaultMdutilPath,
				Adsutil: `D:\Scripts\adsutil.vbs`}, ""},
		{"bad method", providers.Host{Method: "wmi"}, tools{}, `"auto", "mdutil" or "adsutil"`},
		{"quote in path", providers.Host{MdutilPath: `C:\a"b\mdutil.exe`}, tools{},
			"mdutil_path"},
		{"line break in path", providers.Host{AdsutilPath: "C:\\x\r\nnet stop smtpsvc"},
			tools{}, "adsutil_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toolsFor(tt.host)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("wrong error\ngot: %v\nwant text: %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("wrong result\ngot: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestReadCommand(t *testing.T) {
	spaces := tools{Method: "auto", Mdutil: `C:\Program Files (x86)\IIS Tools\mdutil.exe`,
		Adsutil: `C:\Inet Pub\Admin & Scripts\adsutil.vbs`}
	tests := []struct {
		name  string
		tools tools
	}{
		{"read_auto", tools{Method: "auto", Mdutil: DefaultMdutilPath,
			Adsutil: DefaultAdsutilPath}},
		{"read_mdutil_spaces", tools{Method: "mdutil", Mdutil: spaces.Mdutil}},
		{"read_adsutil_spaces", tools{Method: "adsutil", Adsutil: spaces.Adsutil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, readCommand(tt.tools)+"\n")
		})
	}
}

func TestWriteCommand(t *testing.T) {
	tl := tools{Method: "auto", Mdutil: DefaultMdutilPath, Adsutil: `C:\My Scripts\adsutil.vbs`}
	writes := []providers.Write{{Instance: 1, Value: 0x757041}, {Instance: 2, Value: 0x3570c1}}
	tests := []struct {
		name    string
		method  string
		restart bool
	}{
		{"write_mdutil_restart", "mdutil", true},
		{"write_adsutil_norestart", "adsutil", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, writeCommand(tl, tt.method, writes, tt.restart)+"\n")
		})
	}
}

func TestSections(t *testing.T) {
	out := crlf("junk\n--smtpverbs-hostname--\nMAIL01\n  --smtpverbs-ver--  \n\n" +
		"Microsoft Windows [Version 5.2.3790]\n--smtpverbs-mdutil-absent--\n--smtpverbs-end--\n")
	got := sections(out)
	want := map[string]string{
		"":              "junk\n",
		"hostname":      "MAIL01\n",
		"ver":           "\nMicrosoft Windows [Version 5.2.3790]\n",
		"mdutil-absent": "",
		"end":           "\n",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wrong result\ngot: %q\nwant: %q", got, want)
	}
}

func TestWriteCommand_delete(t *testing.T) {
	tl := tools{Method: "auto", Mdutil: DefaultMdutilPath, Adsutil: DefaultAdsutilPath}
	writes := []providers.Write{{Instance: 1, Value: 0x7574c1},
		{Instance: 2, Value: 0x757041, Delete: true}}
	for _, method := range []string{"mdutil", "adsutil"} {
		name := "write_delete_" + method
		t.Run(name, func(t *testing.T) {
			golden(t, name, writeCommand(tl, method, writes, false)+"\n")
		})
	}
}
