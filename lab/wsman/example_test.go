package wsman_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/masterzen/winrm"

	"github.com/smtpverbs/smtpverbs/lab/wsman"
)

// A lab host serves its Handler on a loopback address; any WinRM client can
// then run command lines, which the Runner interprets.
func ExampleNewHandler() {
	runner := wsman.RunnerFunc(func(ctx context.Context, line string, stdin io.Reader,
		stdout, stderr io.Writer) int {
		fmt.Fprintf(stdout, "ran: %s\r\n", strings.ToUpper(line))
		return 0
	})
	h := wsman.NewHandler(wsman.Config{Username: "Administrator", Password: "pw", Basic: true},
		runner)
	defer h.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := h.Server(nil) // plain HTTP; pass a *tls.Config for HTTPS
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	port := ln.Addr().(*net.TCPAddr).Port
	ep := winrm.NewEndpoint("127.0.0.1", port, false, false, nil, nil, nil, time.Minute)
	client, err := winrm.NewClientWithParameters(ep, "Administrator", "pw",
		winrm.NewParameters("PT20S", "en-US", 153600))
	if err != nil {
		fmt.Println(err)
		return
	}
	var stdout, stderr bytes.Buffer
	code, err := client.Run("hostname", &stdout, &stderr)
	fmt.Printf("%q %d %v\n", stdout.String(), code, err)
	fmt.Println(h.Stats().Command, "command")
	// Output:
	// "ran: HOSTNAME\r\n" 0 <nil>
	// 1 command
}
