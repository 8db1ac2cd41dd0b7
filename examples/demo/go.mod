module dynlog.dev/examples/demo

go 1.21
