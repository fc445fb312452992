package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// fonts holds the parsed Go fonts and the faces made from them, one per
// size and weight. It belongs to one rendering; nothing is shared between
// calls, so PNG is safe to call concurrently.
type fonts struct {
	regular, bold *opentype.Font
	faces         map[[2]float64]font.Face
}

func loadFonts() (*fonts, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("chart: parse Go Regular: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("chart: parse Go Bold: %w", err)
	}
	return &fonts{regular: regular, bold: bold, faces: map[[2]float64]font.Face{}}, nil
}

func (f *fonts) face(size float64, bold bool) font.Face {
	key := [2]float64{size, 0}
	src := f.regular
	if bold {
		key[1], src = 1, f.bold
	}
	if fc, ok := f.faces[key]; ok {
		return fc
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// The sizes are constants and the fonts parsed: this cannot fail.
		panic(fmt.Sprintf("chart: font face %v: %v", key, err))
	}
	f.faces[key] = fc
	return fc
}

// measure is a text's advance width in pixels.
func (f *fonts) measure(s string, size float64, bold bool) float64 {
	return float64(font.MeasureString(f.face(size, bold), s)) / 64
}

// PNG renders the trend as a PNG image of Width × Height pixels.
func PNG(t Trend) ([]byte, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	sc, err := layout(t, f.measure)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	r := vector.NewRasterizer(Width, Height)
	for _, sh := range sc.shapes {
		if sh.text != "" {
			drawText(img, f, sh)
			continue
		}
		// Rasterise only the shape's bounding box: most shapes are small.
		polys, pad := sh.fill, 1.0
		if len(polys) == 0 {
			polys, pad = sh.stroke, sh.width/2+1
		}
		box := bounds(polys, pad).Intersect(img.Rect)
		if box.Empty() {
			continue
		}
		off := pt{float64(box.Min.X), float64(box.Min.Y)}
		r.Reset(box.Dx(), box.Dy())
		for _, poly := range polys {
			moved := make([]pt, len(poly))
			for i, p := range poly {
				moved[i] = pt{p.X - off.X, p.Y - off.Y}
			}
			if len(sh.fill) > 0 {
				path(r, moved)
			} else {
				strokePath(r, moved, sh.width)
			}
		}
		r.Draw(img, box, image.NewUniform(withAlpha(sh.color, sh.alpha)), image.Point{})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// bounds is the pixel rectangle holding every point, grown by pad.
func bounds(polys [][]pt, pad float64) image.Rectangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, poly := range polys {
		for _, p := range poly {
			minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
			maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, p.Y)
		}
	}
	if math.IsInf(minX, 1) {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(minX-pad)), int(math.Floor(minY-pad)), int(math.Ceil(maxX+pad)), int(math.Ceil(maxY+pad)))
}

func withAlpha(c color.RGBA, a float64) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, uint8(math.Round(a * float64(c.A)))}
}

func path(r *vector.Rasterizer, poly []pt) {
	r.MoveTo(float32(poly[0].X), float32(poly[0].Y))
	for _, p := range poly[1:] {
		r.LineTo(float32(p.X), float32(p.Y))
	}
	r.ClosePath()
}

// strokePath adds a polyline of the given width: a quad per segment and a
// round cap at every point, all wound the same way so overlaps stay solid.
func strokePath(r *vector.Rasterizer, line []pt, width float64) {
	h := width / 2
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*h, dx/l*h
		path(r, []pt{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
	}
	if width < 2 {
		return // hairlines need no joins
	}
	for _, p := range line {
		var circle []pt
		for k := range 12 {
			a := -float64(k) * math.Pi / 6 // the quads' winding: overlaps add up, never cancel
			circle = append(circle, pt{p.X + h*math.Cos(a), p.Y + h*math.Sin(a)})
		}
		path(r, circle)
	}
}

func drawText(img draw.Image, f *fonts, sh shape) {
	face := f.face(sh.size, sh.bold)
	x := sh.at.X
	switch sh.anchor {
	case middle:
		x -= f.measure(sh.text, sh.size, sh.bold) / 2
	case end:
		x -= f.measure(sh.text, sh.size, sh.bold)
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(withAlpha(sh.color, sh.alpha)), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(sh.at.Y * 64))}}
	d.DrawString(sh.text)
}
