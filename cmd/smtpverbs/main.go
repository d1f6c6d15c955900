// Command smtpverbs declares which SMTP verbs Windows IIS SMTP servers may
// offer, plans and applies the change over WinRM, and proves it over SMTP.
package main

import (
	"os"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/command"
)

func main() {
	os.Exit(command.Main(os.Args[1:], command.System()))
}
