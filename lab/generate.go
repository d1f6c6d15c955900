package lab

import "fmt"

// generatedWindows is the mix of versions Generate cycles through. Windows
// 2000 is left out because it has no WinRM at all; a spec can still ask for
// it explicitly.
var generatedWindows = []string{"2019", "2016", "2012R2", "2022", "2008R2", "2003"}

// Generate returns a healthy, mixed fleet of n hosts named mail001, mail002,
// ...: every host reachable and writable, with values set explicitly at the
// instance, inherited from /LM/SmtpSvc or left at the schema default, some
// hosts with two virtual servers, some with Mdutil and the rest with
// adsutil.vbs, across Windows versions. The same n always gives the same
// fleet.
func Generate(n int) Spec {
	width := len(fmt.Sprint(n))
	if width < 3 {
		width = 3
	}

	spec := Spec{Hosts: make([]HostSpec, 0, n)}
	for i := 0; i < n; i++ {
		h := HostSpec{
			Name:    fmt.Sprintf("mail%0*d", width, i+1),
			Windows: generatedWindows[i%len(generatedWindows)],
		}

		// Tools: every host has at least one; a third have Mdutil only.
		if i%3 == 2 {
			h.AdsutilPath = "none"
		}

		// Where the value comes from cycles through the three INHERIT cases,
		// and one in four hosts already lacks 8BITMIME.
		vs := VirtualServerSpec{ID: 1}
		switch i % 4 {
		case 0:
			vs.Value = u32(7697601)
		case 1:
			h.ServiceValue = u32(7697601)
		case 2:
			// schema default
		case 3:
			vs.Value = u32(3503297)
		}
		h.VirtualServers = []VirtualServerSpec{vs}
		if i%5 == 4 {
			h.VirtualServers = append(h.VirtualServers, VirtualServerSpec{ID: 2,
				Value: u32(7697601)})
		}
		spec.Hosts = append(spec.Hosts, h)
	}
	return spec
}

func u32(v uint32) *uint32 { return &v }
