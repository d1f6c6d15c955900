package command

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is the smtpverbs release; builds may set it with
// -ldflags "-X github.com/smtpverbs/smtpverbs/cmd/smtpverbs/command.Version=v1.2.3".
var Version = "0.1.0-dev"

func newVersionCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the smtpverbs version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(env.Stdout, "smtpverbs %s\n", Version)
			if info, ok := debug.ReadBuildInfo(); ok {
				fmt.Fprintf(env.Stdout, "%s\n", info.GoVersion)
			}
			return nil
		},
	}
}
