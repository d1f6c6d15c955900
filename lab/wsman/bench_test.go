package wsman

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkRequests measures how many WinRM requests per second one
// process serves over plain HTTP with Basic authentication: many clients
// each open and close shells (a Create and a Delete per iteration, both
// fully parsed and authenticated). Client and server share the machine.
func BenchmarkRequests(b *testing.B) {
	l := startLab(b, Config{Basic: true}, false)
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
	}}
	create := []byte(rawEnvelope("env", nsTransfer+"/Create", "uuid:b1", "",
		`<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams></rsp:Shell>`))

	post := func(body []byte) (string, error) {
		req, err := http.NewRequest(http.MethodPost, l.url(), bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", contentType)
		req.SetBasicAuth(testUser, testPassword)
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return string(data), err
	}

	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			answer, err := post(create)
			if err != nil {
				b.Error(err)
				return
			}
			_, rest, _ := strings.Cut(answer, `<w:Selector Name="ShellId">`)
			id, _, _ := strings.Cut(rest, "<")
			del := rawEnvelope("env", nsTransfer+"/Delete", "uuid:b2", id, "")
			if _, err := post([]byte(del)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)

	if got := l.h.Stats(); got.Create != got.Delete || got.Faults != 0 {
		b.Fatalf("wrong result\ngot:  %+v\nwant: as many Deletes as Creates, no faults", got)
	}
	b.ReportMetric(float64(2*b.N)/elapsed.Seconds(), "req/s")
}

// BenchmarkMasterzenRun measures complete masterzen/winrm Runs of a
// trivial command (Create, Command, Receive, Signal, Delete) with several
// clients at once.
func BenchmarkMasterzenRun(b *testing.B) {
	l := startLab(b, Config{Basic: true}, false)

	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := mzClient(b, l, testUser, testPassword, false)
		for pb.Next() {
			if _, _, _, err := mzRun(c, "exit 0"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)

	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "runs/s")
	b.ReportMetric(float64(l.h.Stats().Total)/elapsed.Seconds(), "req/s")
}
