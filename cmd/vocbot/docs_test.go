package main

// A newcomer's first hour goes through README.md and docs/: a link that leads
// nowhere, or a page that names a document the repository does not have,
// loses them. These tests follow every relative link and every *.md name.

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// markdownFiles lists the Markdown pages a reader meets, relative to the
// repository root with forward slashes.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	files := []string{"README.md", "CHANGELOG.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	fence      = regexp.MustCompile("(?ms)^[ \t]*(```|~~~).*?^[ \t]*(```|~~~)[ \t]*$")
	inlineCode = regexp.MustCompile("`[^`\n]*`")
	inlineLink = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(?:<([^>]*)>|([^)\s]*))(?:\s+"[^"]*")?\s*\)`)
	refLink    = regexp.MustCompile(`(?m)^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+"[^"]*")?[ \t]*$`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	mdName     = regexp.MustCompile(`(?:^|[\s(\[])((?:[\w.-]+/)*[\w-]+\.md)\b`)
	heading    = regexp.MustCompile(`(?m)^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$`)
)

// links returns the targets of the links in a Markdown text, outside code.
func links(md string) []string {
	md = fence.ReplaceAllString(md, "")
	var out []string
	for _, re := range []*regexp.Regexp{inlineLink, refLink} {
		for _, m := range re.FindAllStringSubmatch(inlineCode.ReplaceAllString(md, "``"), -1) {
			out = append(out, strings.Join(m[1:], "")) // one of the groups matched
		}
	}
	return out
}

// anchors returns the heading ids GitHub generates for a Markdown text:
// lower case, punctuation dropped, spaces to hyphens, repeats numbered.
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(fence.ReplaceAllString(md, ""), -1) {
		text := inlineLink.ReplaceAllStringFunc(m[2], func(l string) string { return l[1:strings.Index(l, "](")] })
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		id := b.String()
		if n := seen[id]; n > 0 {
			out[fmt.Sprintf("%s-%d", id, n)] = true
		} else {
			out[id] = true
		}
		seen[id]++
	}
	return out
}

func TestAnchors(t *testing.T) {
	md := "# Slack set-up\n## `/survey` in chat\n```\n# not a heading\n```\n## Alerts: closing the loop\n## Alerts: closing the loop\n### Value formats (v2)\n"
	got := slices.Sorted(func(yield func(string) bool) {
		for a := range anchors(md) {
			if !yield(a) {
				return
			}
		}
	})
	want := []string{"alerts-closing-the-loop", "alerts-closing-the-loop-1", "slack-set-up", "survey-in-chat", "value-formats-v2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("anchors (-want +got):\n%s", diff)
	}
}

func TestLinks(t *testing.T) {
	md := "See [a](docs/a.md#x), [b](<b c.md>), ![img](i.png \"title\"), [ext](https://x.org/y.md), `[no](code.md)`.\n" +
		"```\n[no](fenced.md)\n```\n[ref]: ./r.md\n"
	want := []string{"docs/a.md#x", "b c.md", "i.png", "https://x.org/y.md", "./r.md"}
	if diff := cmp.Diff(want, links(md)); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

// TestDocLinksResolve: every relative link in README.md, CHANGELOG.md and
// docs/ names a file or folder in the repository, and every #anchor a heading.
func TestDocLinksResolve(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	files := markdownFiles(t)
	if !slices.Contains(files, "docs/configuration.md") {
		t.Fatalf("found %v; the walk missed docs/", files)
	}
	for _, file := range files {
		md := repoFile(t, file)
		for _, target := range links(md) {
			if target == "" || scheme.MatchString(target) {
				continue // an absolute URL: not ours to check offline
			}
			p, frag, _ := strings.Cut(target, "#")
			resolved := file
			if p != "" {
				resolved = path.Clean(path.Join(path.Dir(file), p))
				if strings.HasPrefix(p, "/") || resolved == ".." || strings.HasPrefix(resolved, "../") {
					t.Errorf("%s: link %q leaves the repository; use a path relative to %s", file, target, path.Dir(file))
					continue
				}
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(resolved))); err != nil {
					t.Errorf("%s: link %q: %s is not in the repository", file, target, resolved)
					continue
				}
			}
			if frag != "" && strings.HasSuffix(resolved, ".md") && !anchors(repoFile(t, resolved))[frag] {
				t.Errorf("%s: link %q: %s has no heading with the id %q", file, target, resolved, frag)
			}
		}
	}
}

// TestDocsNameOnlyFilesInTheRepo: a page that says "see foo.md" (linked or
// not, in code or prose) must mean a page the reader can open.
func TestDocsNameOnlyFilesInTheRepo(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	for _, file := range markdownFiles(t) {
		for _, m := range mdName.FindAllStringSubmatch(repoFile(t, file), -1) {
			name := m[1]
			candidates := []string{path.Join(path.Dir(file), name), name, path.Join("docs", name)}
			found := false
			for _, c := range candidates {
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(c))); err == nil {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s names %s, which is not in the repository", file, name)
			}
		}
	}
}
