package verb

import "testing"

func TestFlags_Apply(t *testing.T) {
	tests := []struct {
		name    string
		from    Flags
		on, off []Verb
		want    Flags
	}{
		{"default pci", SchemaDefault, nil, PCI, 0x757041},
		{"default turn only", SchemaDefault, nil, []Verb{TURN}, 0x7570c1},
		{"no 8bitmime pci", 3503297, nil, PCI, 3502145},
		{"enable dsn keeps unknown bits", 0x1 | 0x2000, []Verb{DSN}, nil, 0x2041},
		{"already compliant", 0x757041, nil, PCI, 0x757041},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.from.Apply(Mask(tt.on), Mask(tt.off))
			if got != tt.want {
				t.Fatalf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
			if got.Unmanaged() != tt.from.Unmanaged() {
				t.Fatalf("unmanaged bits changed: %s -> %s", tt.from.Unmanaged(), got.Unmanaged())
			}
		})
	}
}

func TestDiff(t *testing.T) {
	got := Diff(SchemaDefault, 0x757041)
	var names []string
	for _, c := range got {
		if c.Enabled {
			t.Fatalf("%s reported as enabled", c.Verb.Name)
		}
		names = append(names, c.Verb.Name)
	}
	if want := "TURN ATRN ETRN"; join(names) != want {
		t.Fatalf("wrong result\ngot:  %s\nwant: %s", join(names), want)
	}
}

func TestLookupAndSuggest(t *testing.T) {
	if v, ok := Lookup("etrn"); !ok || v != ETRN {
		t.Fatalf("Lookup(etrn) = %v, %v", v, ok)
	}
	if v, ok := Lookup("8bitMIME"); !ok || v != EightBitMIME {
		t.Fatalf("Lookup(8bitMIME) = %v, %v", v, ok)
	}
	if _, ok := Lookup("VRFY"); ok {
		t.Fatal("VRFY must not be controllable")
	}
	if why, ok := ControlledElsewhere("vrfy"); !ok || why == "" {
		t.Fatal("VRFY must be explained")
	}
	for in, want := range map[string]string{"ETRM": "ETRN", "CHUNKIN": "CHUNKING", "XYZZY": ""} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
