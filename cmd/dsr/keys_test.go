package main

import (
	"os"
	"testing"
)

// TestMain points the config directory at a temporary one, so that no test
// ever writes a key file or checkpoint to the real ~/.config.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dsr-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Unsetenv("DSR_KEY_FILE")
	os.Unsetenv("DSR_PASSPHRASE")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
