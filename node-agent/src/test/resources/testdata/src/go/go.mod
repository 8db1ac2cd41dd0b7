module dynlog.dev/fixture

go 1.26
