module dynlog.dev/targets

go 1.21
