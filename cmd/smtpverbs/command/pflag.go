package command

import "github.com/spf13/pflag"

// pflagFlag names cobra's flag type where normalizeArgs walks the flag sets.
type pflagFlag = pflag.Flag
