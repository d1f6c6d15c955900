package command

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/lab"
)

// demoSpec is the fleet the demo runs against: values set at the instance,
// inherited from /LM/SmtpSvc and left at the schema default, a host with two
// virtual servers, one with adsutil.vbs only, an Exchange 2003 host that
// must not be written, and a host that is down.
func demoSpec() lab.Spec {
	v := func(x uint32) *uint32 { return &x }
	return lab.Spec{Hosts: []lab.HostSpec{
		{Name: "mail01", Windows: "2019",
			VirtualServers: []lab.VirtualServerSpec{{ID: 1, Value: v(7697601)}}},
		{Name: "mail02", Windows: "2016", ServiceValue: v(7697601)},
		{Name: "mail03", Windows: "2012R2", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: v(3503297)}, {ID: 2}}},
		{Name: "mail04", Windows: "2003", MdutilPath: "none"},
		{Name: "exch01", Exchange: "2003",
			VirtualServers: []lab.VirtualServerSpec{{ID: 1, Value: v(7697601)}}},
		{Name: "down01", Windows: "2019", Faults: lab.FaultSpec{Unreachable: true}},
	}}
}

func newDemoCommand(env *Env) *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run plan, apply and plan again against a built-in lab",
		Long: "demo starts a lab of six simulated Windows hosts in this process (values set " +
			"explicitly and inherited, two virtual servers, an Exchange 2003 host and a host " +
			"that is down), writes a configuration with the PCI baseline for them, and runs " +
			"plan, apply and plan again, printing everything as you would see it. Nothing " +
			"outside this process is touched.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(env, base)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "first host address (default: a free "+
		"127.x.0.1 block)")
	return cmd
}

func runDemo(env *Env, base string) error {
	ctx, cancel := contextFor(env)
	defer cancel()

	dir, err := mkdirTemp("smtpverbs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// The steps below switch into the lab directory with -chdir; come back
	// afterwards.
	if wd, err := os.Getwd(); err == nil {
		defer os.Chdir(wd)
	}

	fmt.Fprintln(env.Stdout, "Starting a lab of simulated Windows IIS SMTP hosts...")
	l, err := lab.Start(ctx, demoSpec(), lab.Options{Base: base, Dir: dir})
	if err != nil {
		return fmt.Errorf("start the demo lab: %w", err)
	}
	defer l.Close()
	views.LabTable(env.Stdout, labRows(l))
	for _, n := range l.Notes {
		fmt.Fprintf(env.Stdout, "Note: %s\n", n)
	}
	fmt.Fprintf(env.Stdout, "\nThe configuration (%s) gives every host the PCI baseline:\n",
		lab.ConfigFile)
	fmt.Fprintln(env.Stdout, "TURN, ATRN and ETRN off, every other verb left as it is.")

	// Each step runs the real command, as a user would type it.
	steps := [][]string{
		{"plan"},
		{"apply", "-auto-approve"},
		{"plan"},
	}
	for _, args := range steps {
		if ctx.Err() != nil {
			return errSilent
		}
		fmt.Fprintf(env.Stdout, "\n$ smtpverbs %s\n\n", strings.Join(args, " "))
		code := Main(append([]string{"-chdir=" + dir}, args...), env)
		fmt.Fprintf(env.Stdout, "\n(exit status %d)\n", code)
		if code == ExitFailure && args[0] != "apply" {
			return errSilent
		}
	}
	return nil
}
