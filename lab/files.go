package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files a lab writes into its directory.
const (
	JSONFile   = "lab.json"
	ConfigFile = "lab.smtp.hcl"
	CAFileName = "ca.pem"
)

// jsonLab is the lab.json format, for scripts.
type jsonLab struct {
	Hosts []jsonHost `json:"hosts"`
}

type jsonHost struct {
	Name       string `json:"name"`
	Address    string `json:"address"`
	WinRMHTTP  string `json:"winrm_http"`
	WinRMHTTPS string `json:"winrm_https"`
	SMTP       string `json:"smtp"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	CAFile     string `json:"ca_file"`
	Windows    string `json:"windows"`
	Exchange   string `json:"exchange,omitempty"`
	// Reachable is false for hosts with the Unreachable fault.
	Reachable bool `json:"reachable"`
}

// writeFiles writes lab.json and lab.smtp.hcl next to ca.pem.
func (l *Lab) writeFiles() error {
	var jl jsonLab
	for _, h := range l.Hosts {
		jl.Hosts = append(jl.Hosts, jsonHost{
			Name: h.Name, Address: h.Address,
			WinRMHTTP: h.WinRMHTTP, WinRMHTTPS: h.WinRMHTTPS, SMTP: h.SMTP,
			Username: h.Username, Password: h.Password, CAFile: l.CAFile,
			Windows:   h.Machine.Settings().Windows,
			Exchange:  h.Spec.Exchange,
			Reachable: !h.Spec.Faults.Unreachable,
		})
	}
	data, err := json.MarshalIndent(jl, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", JSONFile, err)
	}
	// The file holds the lab's passwords: readable by its owner only.
	if err := os.WriteFile(filepath.Join(l.Dir, JSONFile), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", JSONFile, err)
	}

	if err := os.WriteFile(filepath.Join(l.Dir, ConfigFile), l.Config(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", ConfigFile, err)
	}
	return nil
}

// Config returns a ready smtpverbs configuration for the lab's hosts: WinRM
// over HTTPS with Basic authentication trusting the lab's CA, and the PCI
// baseline (TURN, ATRN and ETRN off, every other verb untouched) on every
// host. ca_file is relative, so the file works from the lab directory.
func (l *Lab) Config() []byte {
	var b strings.Builder
	b.WriteString("# smtpverbs configuration for the simulated hosts of this lab.\n")
	b.WriteString("# Every host is reached over WinRM/HTTPS with Basic authentication,\n")
	b.WriteString("# trusting the lab's own CA, and gets the PCI baseline: TURN, ATRN and\n")
	b.WriteString("# ETRN off, every other verb left as the host has it.\n\n")

	// One connection per distinct account; most labs have exactly one.
	type account struct{ user, pass string }
	conns := map[account]string{}
	var order []account
	for _, h := range l.Hosts {
		a := account{h.Username, h.Password}
		if _, ok := conns[a]; !ok {
			name := "lab"
			if len(conns) > 0 {
				name = "lab_" + h.Name
			}
			conns[a] = name
			order = append(order, a)
		}
	}
	for _, a := range order {
		name := conns[a]
		fmt.Fprintf(&b, "variable %q {\n", name+"_password")
		b.WriteString("  type      = string\n  sensitive = true\n")
		fmt.Fprintf(&b, "  default   = %s\n}\n\n", hclString(a.pass))
		fmt.Fprintf(&b, "connection %q {\n", name)
		fmt.Fprintf(&b, "  transport = \"https\"\n  port      = %d\n", l.Hosts[0].HTTPSPort)
		fmt.Fprintf(&b, "  auth      = \"basic\"\n  username  = %s\n", hclString(a.user))
		fmt.Fprintf(&b, "  password  = var.%s_password\n", name)
		fmt.Fprintf(&b, "  ca_file   = %q\n}\n\n", CAFileName)
	}

	b.WriteString("baseline \"pci\" {\n  disable = [\"TURN\", \"ATRN\", \"ETRN\"]\n}\n")

	for _, h := range l.Hosts {
		fmt.Fprintf(&b, "\nserver %q {\n", h.Name)
		fmt.Fprintf(&b, "  address    = %q\n", h.Address)
		fmt.Fprintf(&b, "  connection = %q\n", conns[account{h.Username, h.Password}])
		b.WriteString("  baselines  = [\"pci\"]\n")
		if l.SMTPPort != 25 {
			fmt.Fprintf(&b, "  smtp_port  = %d\n", l.SMTPPort)
		}
		s := h.Machine.Settings()
		if s.MdutilPath != "" && !strings.EqualFold(s.MdutilPath, DefaultMdutilPath) {
			fmt.Fprintf(&b, "  mdutil_path = %s\n", hclString(s.MdutilPath))
		}
		if s.AdsutilPath != "" && !strings.EqualFold(s.AdsutilPath, DefaultAdsutilPath) {
			fmt.Fprintf(&b, "  adsutil_path = %s\n", hclString(s.AdsutilPath))
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// hclString quotes s as an HCL string literal, escaping template sequences.
func hclString(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
