package wsxml

import (
	"fmt"
	"strings"
	"testing"
)

// tokens scans data and lists its tokens, one a line: "start" with the
// depth, namespace, local name and attributes, "text" with its content,
// "end" with the depth and name, and the final "done" or "gave up".
func tokens(data string) string {
	var (
		s   Scanner
		out []string
	)
	s.Reset([]byte(data))
	for {
		switch k := s.Next(); k {
		case StartElement:
			space, local := s.Name()
			line := fmt.Sprintf("start %d {%s}%s", s.Depth(), space, local)
			for _, a := range s.Attrs() {
				line += fmt.Sprintf(" %s|%s=%q", a.Prefix, a.Local, a.Value)
			}
			out = append(out, line)
		case Text:
			out = append(out, fmt.Sprintf("text %q", s.Text()))
		case EndElement:
			space, local := s.Name()
			out = append(out, fmt.Sprintf("end %d {%s}%s", s.Depth(), space, local))
		case Done:
			return strings.Join(append(out, "done"), "\n")
		default:
			return strings.Join(append(out, "gave up"), "\n")
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{
			name: "namespaces, attributes and text",
			data: `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
				`<s:E xmlns:s="urn:s" xmlns="urn:d" xml:lang="en"><B a='1'>x &amp; y</B>` +
				`<s:C/></s:E>` + "\n",
			want: []string{
				`start 1 {urn:s}E xmlns|s="urn:s" |xmlns="urn:d" xml|lang="en"`,
				`start 2 {urn:d}B |a="1"`,
				`text "x & y"`,
				`end 2 {urn:d}B`,
				`start 2 {urn:s}C`,
				`end 2 {urn:s}C`,
				`end 1 {urn:s}E`,
				`done`,
			},
		},
		{
			name: "declarations go out of scope",
			data: `<E><p:A xmlns:p="urn:a"/><p:B/></E>`,
			want: []string{`start 1 {}E`, `start 2 {urn:a}A xmlns|p="urn:a"`,
				`end 2 {urn:a}A`, `gave up`},
		},
		{
			name: "CDATA and entities in values",
			data: `<E v="&lt;&quot;"><![CDATA[<a>]]>b&gt;</E>`,
			want: []string{`start 1 {}E |v="<\""`, `text "<a>"`, `text "b>"`,
				`end 1 {}E`, `done`},
		},
		{
			name: "second root",
			data: `<E/><E/>`,
			want: []string{`start 1 {}E`, `end 1 {}E`, `gave up`},
		},
		{"comment", `<E><!-- c --></E>`, []string{`start 1 {}E`, `gave up`}},
		{"carriage return", "<E>\r\n</E>", []string{`start 1 {}E`, `gave up`}},
		{"numeric reference", `<E>&#65;</E>`, []string{`start 1 {}E`, `gave up`}},
		{"non-ASCII", "<E>\u00e9</E>", []string{`start 1 {}E`, `gave up`}},
		{"]]> in text", `<E>a]]>b</E>`, []string{`start 1 {}E`, `gave up`}},
		{"mismatched end", `<E><A></B></E>`, []string{`start 1 {}E`, `start 2 {}A`,
			`gave up`}},
		{"unclosed", `<E><A></A>`, []string{`start 1 {}E`, `start 2 {}A`, `end 2 {}A`,
			`gave up`}},
		{"text outside the root", `x<E/>`, []string{`gave up`}},
		{"reserved element prefix", `<xml:E/>`, []string{`gave up`}},
		{"version 1.1", `<?xml version="1.1"?><E/>`, []string{`gave up`}},
		{"empty", ``, []string{`gave up`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := tokens(tt.data), strings.Join(tt.want, "\n")
			if got != want {
				t.Errorf("wrong result\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestScanner_keepsVerdict checks that Next keeps reporting GaveUp or Done.
func TestScanner_keepsVerdict(t *testing.T) {
	for _, tt := range []struct {
		data string
		want Kind
	}{
		{`<E/>`, Done},
		{`<E>`, GaveUp},
	} {
		var s Scanner
		s.Reset([]byte(tt.data))
		for k := s.Next(); k != tt.want; k = s.Next() {
			if k == GaveUp || k == Done {
				t.Fatalf("wrong result for %q\ngot:  %d\nwant: %d", tt.data, k, tt.want)
			}
		}
		if got := s.Next(); got != tt.want {
			t.Errorf("wrong result for %q\ngot:  %d again\nwant: %d", tt.data, got, tt.want)
		}
	}
}

// TestScanner_noAllocs checks that scanning a usual envelope allocates
// nothing.
func TestScanner_noAllocs(t *testing.T) {
	data := []byte(`<s:Envelope xmlns:s="urn:s" xmlns:a="urn:a"><s:Header>` +
		`<a:Action s:mustUnderstand="true">urn:x</a:Action></s:Header><s:Body>` +
		`<a:Stream Name="stdout">aGk=</a:Stream></s:Body></s:Envelope>`)
	var s Scanner
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(data)
		for k := s.Next(); k != Done; k = s.Next() {
			if k == GaveUp {
				t.Fatal("the scanner gave up")
			}
		}
	})
	if allocs != 0 {
		t.Errorf("wrong result\ngot:  %v allocations\nwant: 0", allocs)
	}
}

// TestScanner_limits checks that documents needing more room than a
// Scanner has are left to encoding/xml, and those that fit are read.
func TestScanner_limits(t *testing.T) {
	nested := func(n int) string {
		return strings.Repeat("<a>", n) + strings.Repeat("</a>", n)
	}
	declaring := func(n int) string {
		var sb strings.Builder
		sb.WriteString("<a")
		for i := range n {
			fmt.Fprintf(&sb, ` xmlns:p%d="urn:%d"`, i, i)
		}
		return sb.String() + "/>"
	}
	attributed := func(n int) string {
		var sb strings.Builder
		sb.WriteString("<a")
		for i := range n {
			fmt.Fprintf(&sb, ` v%d="%d"`, i, i)
		}
		return sb.String() + "/>"
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"16 nested elements", nested(maxDepth), "done"},
		{"17 nested elements", nested(maxDepth + 1), "gave up"},
		{"24 declarations", declaring(maxBindings), "done"},
		{"25 declarations", declaring(maxBindings + 1), "gave up"},
		{"24 attributes", attributed(maxAttrs), "done"},
		{"25 attributes", attributed(maxAttrs + 1), "gave up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(tokens(tt.data), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}
