# A small fleet showing every setting of a lab spec.

host "mail01" {
  windows = "2019"
  virtual_server "1" {
    value = 7697601
  }
  virtual_server "2" {
    value = 3503297
    port  = 2626
  }
}

host "mail02" {
  windows       = "2003"
  service_value = 7697601
  mdutil        = "none"
}

host "exch01" {
  windows  = "2003"
  exchange = "2003"
  virtual_server "1" {
    value           = 7696449
    directory_value = 7697601
  }
}

host "slow01" {
  address = "127.0.1.200"
  faults {
    latency       = "20ms"
    restart_delay = "2s"
    winrm_fault   = "Command"
    winrm_fault_nth = 2
  }
}

host "down01" {
  faults {
    unreachable = true
  }
}
