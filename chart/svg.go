package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
)

// SVG renders the trend as an SVG document with the same layout as PNG.
// Text uses the Go font when the viewer has it and a sans-serif otherwise;
// widths were measured with the Go font.
func SVG(t Trend) ([]byte, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	sc, err := layout(t, f.measure)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="`, Width, Height, Width, Height)
	escape(&b, t.Title)
	b.WriteString(`" font-family="Go, 'Go Regular', Helvetica, Arial, sans-serif">` + "\n")
	b.WriteString("<title>")
	escape(&b, t.Title)
	b.WriteString("</title>\n")
	for _, sh := range sc.shapes {
		switch {
		case sh.text != "":
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s"%s%s fill="%s">`,
				num(sh.at.X), num(sh.at.Y), num(sh.size), weight(sh.bold), textAnchor(sh.anchor), paint(sh.color))
			escape(&b, sh.text)
			b.WriteString("</text>\n")
		case len(sh.fill) > 0:
			fmt.Fprintf(&b, `<path d="%s" fill="%s"%s/>`+"\n", pathData(sh.fill, true), paint(sh.color), opacity("fill-opacity", sh.alpha))
		case len(sh.stroke) > 0:
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"%s/>`+"\n",
				pathData(sh.stroke, false), paint(sh.color), num(sh.width), opacity("stroke-opacity", sh.alpha))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func pathData(polys [][]pt, closed bool) string {
	var b strings.Builder
	for _, p := range polys {
		for i, q := range p {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(num(q.X) + " " + num(q.Y))
		}
		if closed {
			b.WriteString("Z")
		}
	}
	return b.String()
}

// num writes a coordinate with at most two decimals, no trailing zeros.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func paint(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func opacity(attr string, a float64) string {
	if a >= 1 {
		return ""
	}
	return fmt.Sprintf(` %s="%s"`, attr, num(a))
}

func weight(bold bool) string {
	if bold {
		return ` font-weight="bold"`
	}
	return ""
}

func textAnchor(a anchor) string {
	switch a {
	case middle:
		return ` text-anchor="middle"`
	case end:
		return ` text-anchor="end"`
	}
	return ""
}
