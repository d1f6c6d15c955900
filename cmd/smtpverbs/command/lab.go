package command

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/lab"
)

type labOptions struct {
	spec      string
	hosts     int
	dir       string
	base      string
	httpPort  int
	httpsPort int
	smtpPort  int
}

func newLabCommand(env *Env) *cobra.Command {
	var o labOptions
	cmd := &cobra.Command{
		Use:   "lab [--spec FILE | --hosts N] [--dir DIR]",
		Short: "Run simulated Windows IIS SMTP hosts to try smtpverbs against",
		Long: "lab starts simulated Windows hosts, each on its own loopback address, that " +
			"speak WinRM (HTTP and HTTPS) and SMTP like IIS on Windows. It writes lab.json " +
			"(for scripts) and lab.smtp.hcl (a ready smtpverbs configuration with the PCI " +
			"baseline) into --dir, prints a table of the hosts, and runs until interrupted.\n\n" +
			"Without --spec it generates a healthy mixed fleet of --hosts hosts. A spec file " +
			"declares each host, its Windows version, tools, values and faults; see the " +
			"README's lab section.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("spec") && cmd.Flags().Changed("hosts") {
				return fmt.Errorf("--spec and --hosts exclude each other: a spec file " +
					"declares its own hosts")
			}
			return runLab(env, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.spec, "spec", "", "HCL file describing the simulated hosts")
	f.IntVar(&o.hosts, "hosts", 5, "number of hosts of a generated healthy fleet")
	f.StringVar(&o.dir, "dir", "", "directory for lab.json, lab.smtp.hcl and ca.pem "+
		"(default: a new temporary directory)")
	f.StringVar(&o.base, "base", "127.0.1.1", "address of the first host; the others follow")
	f.IntVar(&o.httpPort, "winrm-http-port", 5985, "WinRM HTTP port of every host")
	f.IntVar(&o.httpsPort, "winrm-https-port", 5986, "WinRM HTTPS port of every host")
	f.IntVar(&o.smtpPort, "smtp-port", 25, "SMTP port of every host's first virtual "+
		"server (falls back to 2525 when 25 cannot be bound)")
	return cmd
}

func runLab(env *Env, o labOptions) error {
	var spec lab.Spec
	if o.spec != "" {
		if err := loadLabSpec(env, o.spec, &spec); err != nil {
			return err
		}
	} else {
		if o.hosts < 1 || o.hosts > 60000 {
			return fmt.Errorf("--hosts %d: give a number from 1 to 60000", o.hosts)
		}
		spec = lab.Generate(o.hosts)
	}

	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = mkdirTemp("smtpverbs-lab-"); err != nil {
			return err
		}
	}
	dir, _ = filepath.Abs(dir)

	ctx, cancel := contextFor(env)
	defer cancel()
	l, err := lab.Start(ctx, spec, lab.Options{
		Base: o.base, Dir: dir,
		HTTPPort: o.httpPort, HTTPSPort: o.httpsPort, SMTPPort: o.smtpPort,
	})
	if err != nil {
		return fmt.Errorf("start lab: %w (another lab may be running on these "+
			"addresses: stop it or pass --base with another 127.x.y.z block)", err)
	}
	defer l.Close()

	views.LabTable(env.Stdout, labRows(l))
	fmt.Fprintf(env.Stdout, "\n%d hosts up. Files in %s:\n", len(l.Hosts), l.Dir)
	for _, f := range [][2]string{
		{lab.JSONFile, "hosts, URLs and credentials for scripts"},
		{lab.ConfigFile, "a ready smtpverbs configuration (PCI baseline)"},
		{lab.CAFileName, "the CA that signed the hosts' WinRM certificates"},
	} {
		fmt.Fprintf(env.Stdout, "  %-13s %s\n", f[0], f[1])
	}
	for _, n := range l.Notes {
		fmt.Fprintf(env.Stdout, "Note: %s\n", n)
	}
	fmt.Fprintf(env.Stdout, "\nTry: smtpverbs -chdir=%s plan\nPress Ctrl-C to stop.\n", l.Dir)

	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "\nStopping the lab.")
	return nil
}

// labRows describes each host for the table.
func labRows(l *lab.Lab) []views.LabRow {
	var rows []views.LabRow
	for _, h := range l.Hosts {
		s := h.Machine.Settings()
		r := views.LabRow{
			Name: h.Name, Address: h.Address, Windows: s.Windows,
			WinRM: strconv.Itoa(h.HTTPPort) + "/" + strconv.Itoa(h.HTTPSPort),
			SMTP:  h.SMTP,
		}
		for _, inst := range s.Instances {
			v, src := h.Machine.Value(inst.ID)
			r.Values = append(r.Values, fmt.Sprintf("%d: 0x%x (%s)", inst.ID, v,
				strings.TrimPrefix(src, "/LM/")))
		}
		if s.Exchange != "" {
			r.Notes = append(r.Notes, "Exchange "+s.Exchange)
		}
		if s.MdutilPath == "" && s.AdsutilPath == "" {
			r.Notes = append(r.Notes, "no tools")
		}
		if s.OpenRelay {
			r.Notes = append(r.Notes, "open relay")
		}
		f := h.Spec.Faults
		if f.Unreachable {
			r.WinRM, r.SMTP = "down", "closed"
			r.Notes = append(r.Notes, "unreachable")
		}
		if f.WrongCredentials {
			r.Notes = append(r.Notes, "refuses the advertised password")
		}
		if f.Latency > 0 {
			r.Notes = append(r.Notes, "latency "+f.Latency.String())
		}
		if f.WriteDenied || f.WriteNotSticky || f.StartFails || f.FrozenSMTP ||
			f.WinRMFaultOp != "" {
			r.Notes = append(r.Notes, "faults")
		}
		rows = append(rows, r)
	}
	return rows
}

// loadLabSpec reads a lab spec into spec, printing any diagnostics.
func loadLabSpec(env *Env, path string, spec *lab.Spec) error {
	s, files, diags := lab.LoadSpec(path)
	if len(diags) > 0 {
		views.Diagnostics(env.Stderr, files, diags, env.Color(), diagnosticWidth(env))
	}
	if diags.HasErrors() {
		return errSilent
	}
	*spec = s
	return nil
}

// mkdirTemp creates a new directory for a lab's files.
func mkdirTemp(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", fmt.Errorf("create lab directory: %w", err)
	}
	return dir, nil
}
