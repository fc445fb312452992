package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrUsage is wrapped by Load's errors about its args, so a command can tell
// "you typed it wrong" (exit code 2) from "the configuration is wrong".
var ErrUsage = errors.New("bad command line")

// maxErrors is how many problems one Load reports; a file that is wrong
// everywhere is usually wrong in one way, and the first lines say which.
const maxErrors = 20

// maxFile bounds the YAML file; a real one is a few KiB.
const maxFile = 4 << 20

// Load builds the configuration from the environment and the YAML file.
//
// getenv is how variables are read (os.Getenv in main, a map in tests). Each
// variable VOCBOT_X may instead be given as VOCBOT_X_FILE, the path of a file
// holding the value (container secrets); trailing line breaks are dropped.
//
// args are the command-line arguments that concern configuration, nothing
// else: "--config PATH" or "--config=PATH" (one dash works too), which takes
// precedence over VOCBOT_CONFIG. Any other argument is an error wrapping
// ErrUsage; the caller parses its own flags first and passes only these.
//
// The file is the one named by --config, else by VOCBOT_CONFIG, else
// ./vocbot.yaml if that exists; without one, built-in defaults apply. A named
// file that does not exist is an error.
//
// Every problem found is reported, one per line, env first, then the file's
// in line order: "VOCBOT_HTTP_ADDR: …" or "vocbot.yaml:12: surveys[0].metric:
// …". The first line always stands alone.
func Load(getenv func(string) string, args []string) (*Config, error) {
	flagPath, err := parseArgs(args)
	if err != nil {
		return nil, err
	}
	c := Default()
	r := &envReader{getenv: getenv}
	path, where := configPath(r, flagPath)
	errs := r.errs
	errs = append(errs, readEnv(getenv, c)...)
	if path != "" {
		c.File = filepath.Clean(path)
		data, err := readConfigFile(path, where)
		if err != nil {
			errs = append(errs, err)
		} else {
			errs = append(errs, decodeFile(c.File, data, c)...)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, checkWebLinkFallback(c)...)
	}
	if len(errs) == 0 && c.HTTP.PublicURL == "" {
		for _, s := range c.Surveys {
			if s.WebLink {
				errs = append(errs, fmt.Errorf("survey %q has web_link: true, which needs VOCBOT_PUBLIC_URL, the external base URL its answer links start with (e.g. https://vocbot.example.com); set it, or remove web_link", s.ID))
				break
			}
		}
	}
	if len(errs) > 0 {
		for i, err := range errs {
			// Paths and names come from outside; keep one problem per line.
			if msg := printable(err.Error()); msg != err.Error() {
				errs[i] = errors.New(msg)
			}
		}
		if len(errs) > maxErrors {
			more := len(errs) - maxErrors
			errs = append(errs[:maxErrors], fmt.Errorf("(%d more problems not shown)", more))
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// usageError is an args error; it wraps ErrUsage without repeating its text.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return ErrUsage }

// parseArgs reads --config PATH from args and refuses anything else.
func parseArgs(args []string) (string, error) {
	var path string
	var seen bool
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		if name != "--config" && name != "-config" {
			return "", &usageError{fmt.Sprintf("unexpected argument %q; only --config PATH is accepted here", a)}
		}
		if seen {
			return "", &usageError{"--config is given twice; keep one"}
		}
		seen = true
		if !hasValue {
			if i+1 >= len(args) {
				return "", &usageError{"--config needs a path, e.g. --config ./vocbot.yaml"}
			}
			i++
			value = args[i]
		}
		if value == "" {
			return "", &usageError{"--config needs a path, e.g. --config ./vocbot.yaml"}
		}
		path = value
	}
	return path, nil
}

// configPath decides which file to read and names where the choice came
// from for messages. It returns "" when there is no file to read.
func configPath(r *envReader, flagPath string) (path, where string) {
	if flagPath != "" {
		return flagPath, flagPath + " (from --config)"
	}
	v, where := r.read("VOCBOT_CONFIG")
	if strings.ContainsAny(v, "\r\n") {
		// VOCBOT_CONFIG_FILE holds the path, like every _FILE; pointing it at
		// the YAML itself is the mistake to expect.
		r.failf(where, "the file must hold the path of the YAML file, not the YAML; to name the YAML file set VOCBOT_CONFIG=%s", r.getenv("VOCBOT_CONFIG_FILE"))
		return "", where
	}
	if v != "" {
		return v, v + " (from " + where + ")"
	}
	if strings.Contains(where, "=") { // an unreadable VOCBOT_CONFIG_FILE, already reported
		return "", where
	}
	if st, err := os.Stat(defaultConfigFile); err == nil && !st.IsDir() {
		return defaultConfigFile, filepath.Clean(defaultConfigFile)
	}
	return "", ""
}

// readConfigFile reads the YAML file. A missing file is an error: it was
// either named explicitly or seen a moment ago.
func readConfigFile(path, where string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: the file does not exist; fix the path or create it from vocbot.example.yaml", where)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read it: %v", where, pathless(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read it: %v", where, pathless(err))
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("%s: the file is larger than %d MiB; is it the right file?", where, maxFile>>20)
	}
	return data, nil
}

// checkWebLinkFallback: the section needs its secret and the public URL
// (its links start with it), and the secret needs the section.
func checkWebLinkFallback(c *Config) []error {
	fb := c.WebLinkFallback
	var errs []error
	switch {
	case fb.URL != "" && len(fb.Key) == 0:
		errs = append(errs, errors.New("web_link_fallback.url is set but VOCBOT_WEB_LINK_FALLBACK_SECRET is not: vocbot signs every POST to it; set it to whsec_ followed by base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32)) and give the receiver the same"))
	case fb.URL == "" && len(fb.Key) > 0:
		errs = append(errs, errors.New("VOCBOT_WEB_LINK_FALLBACK_SECRET is set but the configuration file has no web_link_fallback.url: add web_link_fallback: {url: https://…} or unset the variable"))
	}
	if fb.URL != "" && c.HTTP.PublicURL == "" {
		errs = append(errs, errors.New("web_link_fallback is set, which needs VOCBOT_PUBLIC_URL, the external base URL its answer links start with (e.g. https://vocbot.example.com); set it, or remove web_link_fallback"))
	}
	return errs
}
