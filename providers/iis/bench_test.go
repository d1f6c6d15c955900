package iis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
)

// BenchmarkParseEnum measures parsing an mdutil enumeration of a service
// with 50 virtual servers.
func BenchmarkParseEnum(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("36998 : [IS] (DWORD) 0x757441={7697473}\r\n")
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&sb, "[/smtpsvc/%d]\r\n  KeyType                       : [S]     (STRING) "+
			"\"IIsSmtpServer\"\r\n  ServerBindings                : [IS]    (MULTISZ) "+
			"\":%d:\"\r\n  36998                         : [IS]    (DWORD)  0x757041={7696449}"+
			"\r\n", i, 2500+i)
	}
	out := sb.String()
	b.SetBytes(int64(len(out)))
	b.ResetTimer()
	for b.Loop() {
		if mb := parseEnum(out, "smtpsvc"); len(mb.Nodes) != 51 {
			b.Fatalf("wrong number of keys: %d", len(mb.Nodes))
		}
	}
}

// BenchmarkLabRead measures a whole Open, Read and Close against one lab
// host over HTTP with Basic authentication, and reports hosts read per
// second and WinRM requests per read.
func BenchmarkLabRead(b *testing.B) {
	l, err := lab.Start(context.Background(), lab.Spec{Hosts: []lab.HostSpec{{Name: "mail01",
		VirtualServers: []lab.VirtualServerSpec{{ID: 1}, {ID: 2}}}}}, lab.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	h := l.Hosts[0]
	host := hostOf(b, l, h, "http-basic")

	requests := 0
	b.ResetTimer()
	for b.Loop() {
		s, err := New().Open(context.Background(), host)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Read(context.Background()); err != nil {
			b.Fatal(err)
		}
		s.Close()
		requests += s.Requests()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hosts/s")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}
