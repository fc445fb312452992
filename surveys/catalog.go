package surveys

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// loadCatalog reads one family of message files, locales/<name>.<locale>.json
// for every locale vocbot speaks, into a localizer per locale. vocbot has
// three families (active: what customers read; digest and alert: what staff
// read), each embedded in the binary and loaded once by this one function.
func loadCatalog(fsys fs.FS, name string) (map[string]*i18n.Localizer, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	out := make(map[string]*i18n.Localizer, len(Locales))
	for _, l := range Locales {
		if _, err := bundle.LoadMessageFileFS(fsys, "locales/"+name+"."+l+".json"); err != nil {
			return nil, fmt.Errorf("load %s wordings for %s: %w", name, l, err)
		}
		out[l] = i18n.NewLocalizer(bundle, l)
	}
	return out, nil
}

// mustLoadCatalog is loadCatalog for the embedded files, which a test loads:
// a broken one is a build mistake, not a runtime condition.
func mustLoadCatalog(fsys fs.FS, name string) map[string]*i18n.Localizer {
	out, err := loadCatalog(fsys, name)
	if err != nil {
		panic(err)
	}
	return out
}
