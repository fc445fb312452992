package surveys_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/vocbot/vocbot/surveys"
)

// TestDigestChartGolden compares the chart with a reviewed PNG, allowing a
// few differing pixels so that harmless changes (an antialiased edge) do not
// fail the build while a moved line or label does.
func TestDigestChartGolden(t *testing.T) {
	t.Parallel()
	for _, locale := range []string{"en", "fa", "ar"} {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			spec, s, now, data := digestFixture(t, locale)
			d := surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
			got, err := surveys.DigestChart(d)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "chart_"+locale+".golden.png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n, total := pixelDiff(t, want, got); n > total/200 {
				t.Errorf("%d of %d pixels differ from %s (more than 0.5%%); inspect and rerun with -update", n, total, path)
			}
		})
	}
}

func TestDigestChartEmpty(t *testing.T) {
	t.Parallel()
	if png, err := surveys.DigestChart(surveys.Digest{}); png != nil || err != nil {
		t.Errorf("chart of an empty digest = %d bytes, %v; want none", len(png), err)
	}
}

// pixelDiff counts pixels whose colour differs by more than a little in
// any channel.
func pixelDiff(t *testing.T, a, b []byte) (diff, total int) {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("size %v, want %v", ib.Bounds(), ia.Bounds())
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !near(ia, ib, image.Pt(x, y)) {
				diff++
			}
		}
	}
	return diff, r.Dx() * r.Dy()
}

func near(a, b image.Image, p image.Point) bool {
	r1, g1, b1, _ := a.At(p.X, p.Y).RGBA()
	r2, g2, b2, _ := b.At(p.X, p.Y).RGBA()
	d := func(x, y uint32) bool { return x-y < 8<<8 || y-x < 8<<8 }
	return d(r1, r2) && d(g1, g2) && d(b1, b2)
}
