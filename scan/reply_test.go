package scan

import (
	"slices"
	"strings"
	"testing"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		code    int
		lines   []string
		wantErr string
	}{
		{"single", "250 OK\r\n", 250, []string{"250 OK"}, ""},
		{"bare code", "250\r\n", 250, []string{"250"}, ""},
		{"no final CRLF", "221 bye", 221, []string{"221 bye"}, ""},
		{"multi", "250-a Hello\r\n250-TURN\r\n250 OK\r\n", 250,
			[]string{"250-a Hello", "250-TURN", "250 OK"}, ""},
		{"bare LF", "214-x\n214 y\n", 214, []string{"214-x", "214 y"}, ""},
		{"empty", "", 0, nil, "empty reply"},
		{"short", "25\r\n", 0, nil, "shorter than a reply code"},
		{"not a code", "abc def\r\n", 0, nil, "no reply code"},
		{"code out of range", "650 x\r\n", 0, nil, "no reply code"},
		{"bad separator", "250_OK\r\n", 0, nil, "no separator"},
		{"mixed codes", "250-a\r\n251 b\r\n", 0, nil, "code 251 inside a 250 reply"},
		{"unfinished", "250-a\r\n250-b\r\n", 0, nil, "ends with a continuation line"},
		{"trailing data", "250 a\r\n250 b\r\n", 0, nil, "data after the last line"},
		{"line too long", "250 " + strings.Repeat("x", MaxReplyLine) + "\r\n", 0, nil,
			"longer than"},
		{"too many lines", strings.Repeat("250-x\r\n", MaxReplyLines) + "250 x\r\n", 0, nil,
			"more than 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReply([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("wrong result\ngot:  %v\nwant: error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReply: %v", err)
			}
			if got.Code != tt.code || !slices.Equal(got.Lines, tt.lines) {
				t.Errorf("wrong result\ngot:  %d %q\nwant: %d %q", got.Code, got.Lines,
					tt.code, tt.lines)
			}
		})
	}
}

func TestReply_Text(t *testing.T) {
	r := Reply{Code: 214, Lines: []string{"214-Commands:", "214 HELO EHLO", "214"}}
	if got, want := r.Text(), "Commands:\nHELO EHLO\n"; got != want {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
	}
}

// FuzzParseReply checks that no input makes the parser panic, and that
// every reply it accepts is self-consistent: one code on every line, only
// the last line final, the lines exactly those of the input.
func FuzzParseReply(f *testing.F) {
	seeds := []string{
		"250 OK\r\n",
		"250-mail01.corp.example Hello [127.0.0.1]\r\n250-TURN\r\n250-SIZE 2097152\r\n" +
			"250-8bitmime\r\n250 OK\r\n",
		"214-This server supports the following commands:\r\n" +
			"214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH TURN ETRN BDAT VRFY\r\n",
		"421 4.4.2 host Connection timed out\r\n",
		"500 5.3.3 Unrecognized command\r\n",
		"250-\r\n250\r\n",
		"2",
		"\r\n\r\n",
		"250-a\n250-b\r\n250 c",
		"999 x\r\n",
		"250 \xff\xfe\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReply(data)
		if err != nil {
			return
		}
		if r.Code < 100 || r.Code > 599 || len(r.Lines) == 0 {
			t.Fatalf("accepted %q as code %d with %d lines", data, r.Code, len(r.Lines))
		}
		for i, l := range r.Lines {
			code, last, err := parseLine(l)
			if err != nil || code != r.Code || last != (i == len(r.Lines)-1) {
				t.Fatalf("accepted %q but line %d %q is inconsistent", data, i, l)
			}
		}
		want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		for i := range want {
			want[i] = strings.TrimSuffix(want[i], "\r")
		}
		if !slices.Equal(r.Lines, want) {
			t.Fatalf("lines %q do not match input %q", r.Lines, data)
		}
	})
}
