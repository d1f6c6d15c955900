package command

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/config"
)

// exitUnformatted is fmt -check's exit status when a file needs formatting:
// 3, as terraform fmt -check uses, so CI scripts carry over.
const exitUnformatted = 3

// fmtOptions are the flags of the fmt command.
type fmtOptions struct {
	check     bool
	diff      bool
	recursive bool
}

func newFmtCommand(env *Env) *cobra.Command {
	var opts fmtOptions
	cmd := &cobra.Command{
		Use:   "fmt [-check] [-diff] [-recursive] [DIR|FILE|-]...",
		Short: "Rewrite configuration files in the canonical layout",
		Long: "fmt rewrites *.smtp.hcl files in HCL's canonical layout: indentation, " +
			"spacing and aligned = signs. It takes directories (default: the current " +
			"one), files, or - to format standard input to standard output, and prints " +
			"the name of every file it changed.\n\n" +
			"With -check nothing is written, and the exit status is 3 when any file " +
			"needs formatting (as terraform fmt -check). A file with syntax errors is " +
			"left alone and makes the exit status 1.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFmt(env, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.check, "check", false,
		"write nothing; exit with status 3 when a file needs formatting")
	f.BoolVar(&opts.diff, "diff", false, "print a unified diff of each change")
	f.BoolVar(&opts.recursive, "recursive", false, "also format files in subdirectories")
	return cmd
}

// runFmt formats every file args name.
func runFmt(env *Env, opts fmtOptions, args []string) error {
	if len(args) == 0 {
		args = []string{"."}
	}
	var paths []string
	for _, arg := range args {
		if arg == "-" {
			paths = append(paths, arg)
			continue
		}
		found, err := fmtFiles(arg, opts.recursive)
		if err != nil {
			return err
		}
		paths = append(paths, found...)
	}

	failed, changed := false, false
	for _, path := range paths {
		c, err := fmtFile(env, opts, path)
		if err == errSilent {
			failed = true
			continue
		}
		if err != nil {
			return err
		}
		changed = changed || c
	}

	switch {
	case failed:
		return errSilent
	case opts.check && changed:
		return &ExitError{Code: exitUnformatted}
	}
	return nil
}

// fmtFiles lists the configuration files at path: path itself when it is a
// file, else the *.smtp.hcl files in it, and in its subdirectories when
// recursive (hidden directories are skipped).
func fmtFiles(path string, recursive bool) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("fmt: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}

	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			hidden := strings.HasPrefix(d.Name(), ".") && p != path
			if p != path && (!recursive || hidden) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), config.FileSuffix) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fmt: %w", err)
	}
	return out, nil
}

// fmtFile formats one file (or standard input for "-") and reports whether
// it needed changes. Syntax errors are printed and returned as errSilent.
func fmtFile(env *Env, opts fmtOptions, path string) (bool, error) {
	var src []byte
	var err error
	if path == "-" {
		src, err = io.ReadAll(env.Stdin)
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}

	name := path
	if path == "-" {
		name = "<stdin>"
	}
	out, diags := config.Format(src, name)
	if diags.HasErrors() {
		files := map[string]*hcl.File{name: {Bytes: src}}
		views.Diagnostics(env.Stderr, files, diags, env.Color(), diagnosticWidth(env))
		return false, errSilent
	}

	if path == "-" {
		if !opts.check {
			_, err = env.Stdout.Write(out)
		}
		return !bytes.Equal(src, out), err
	}
	if bytes.Equal(src, out) {
		return false, nil
	}

	fmt.Fprintln(env.Stdout, path)
	if opts.diff {
		views.UnifiedDiff(env.Stdout, "old/"+path, "new/"+path, string(src), string(out))
	}
	if opts.check {
		return true, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
