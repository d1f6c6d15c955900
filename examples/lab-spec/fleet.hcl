# A lab spec: simulated Windows IIS SMTP hosts for `smtpverbs lab --spec`.
# Every attribute is optional; what is left out takes the default shown.

host "mail01" {
  windows = "2019"        # 2000, 2003, 2008, 2008R2, 2012, 2012R2, 2016, 2019, 2022
  domain  = "corp.example" # the banner says MAIL01.corp.example

  # SmtpInboundCommandSupportOptions set at /LM/SmtpSvc/1 (explicit).
  virtual_server "1" {
    value = 7697601
  }

  # A second virtual server that inherits; its port defaults to the lab's
  # SMTP port + 1.
  virtual_server "2" {}
}

host "mail02" {
  windows       = "2016"
  service_value = 7697601 # set at /LM/SmtpSvc: instances inherit it
  mdutil        = "none"  # only adsutil.vbs is installed
}

host "legacy01" {
  windows = "2003"
  adsutil = "none"        # only mdutil.exe, at a non-default path
  mdutil  = "C:\\Tools\\mdutil.exe"
  open_relay = true       # the SMTP service relays for anyone
}

host "exch01" {
  exchange = "2003"       # Exchange owns the metabase (DS2MB): never written
  virtual_server "1" {
    value           = 7697601
    directory_value = 7697601 # the Active Directory copy DS2MB restores at start
  }
}

host "flaky01" {
  username = "svc-smtpverbs" # an account of its own instead of the lab's
  auth     = ["ntlm"]        # only NTLM is offered (default: basic and ntlm)

  faults {
    latency          = "20ms"  # added before every WinRM answer
    restart_delay    = "2s"    # each stop and each start of SMTPSVC
    write_not_sticky = false   # writes report success but are not kept
    write_denied     = false   # writes fail with access denied
    start_fails      = false   # SMTPSVC fails to start (error 1067)
    frozen_smtp      = false   # SMTP keeps offering what it offered first
    winrm_fault      = "Command" # answer the 3rd Command with a WS-Management fault
    winrm_fault_nth  = 3
  }
}

host "down01" {
  faults {
    unreachable = true        # nothing listens on its address
  }
}

host "locked01" {
  faults {
    wrong_credentials = true  # refuses the password lab.json advertises
  }
}
