package mail

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The reading's rules (extract.go) know the ways of saying a thing that
// someone wrote down; a mail worded in a way nobody wrote down gets no
// reason, or the kind of its loudest word. The reading model is a second
// reader for those mails: three naive Bayes classifiers over the words and
// word pairs of a mail (its subject, new text and forwarded message), for
// the reason of a refund, for refund against revocation and for an
// automatic reply against a person's mail, trained on the golden corpora
// (testdata: every mail whose want gives the field). It never overrules a
// rule that found something, and it speaks only when sure by a margin
// (modelMargins); what it decides is marked as guessed (Request.Guessed,
// the "worded_model" automatic sign) for the agent.
//
// Its counts are data, in reading_model.txt: `make reading-model` trains
// it again from the corpora, and TestReadingModelIsCurrent fails when the
// file is not what the corpora train.

//go:embed reading_model.txt
var readingModelText string

// modelWords finds the words a model counts: runs of ASCII letters, with
// an apostrophe inside ("don't"); digits and every other character
// separate them.
var modelWordRe = regexp.MustCompile(`[a-z]+(?:'[a-z]+)?`)

// modelWordCount is how many words the model would count in text.
func modelWordCount(text string) int {
	return len(modelWordRe.FindAllStringIndex(strings.ToLower(text), -1))
}

// modelFeatures are the distinct words and pairs of adjacent words of a
// mail's subject, new text and forwarded message, lower case.
func modelFeatures(subject, newText, forwarded string) []string {
	ws := modelWordRe.FindAllString(strings.ToLower(subject+"\n"+newText+"\n"+forwarded), -1)
	f := make([]string, 0, 2*len(ws))
	for i, w := range ws {
		f = append(f, w)
		if i > 0 {
			f = append(f, ws[i-1]+"_"+w)
		}
	}
	slices.Sort(f)
	return slices.Compact(f)
}

// wordModel is a naive Bayes classifier over the presence of features: a
// class scores log(docs) plus, for every feature of the mail the model
// knows, log((count+alpha)/(docs+2·alpha)) of its documents that had it.
type wordModel struct {
	name    string
	classes []string
	docs    []int
	alpha   float64
	counts  map[string][]int // feature: documents of each class that have it
}

// classify gives the best class and its margin over the second, in
// natural log units; "" when the model has fewer than two classes.
func (m *wordModel) classify(features []string) (string, float64) {
	if m == nil || len(m.classes) < 2 {
		return "", 0
	}
	scores := make([]float64, len(m.classes))
	for c, n := range m.docs {
		scores[c] = math.Log(float64(n))
	}
	for _, f := range features {
		counts, ok := m.counts[f]
		if !ok {
			continue
		}
		for c, n := range m.docs {
			scores[c] += math.Log((float64(counts[c]) + m.alpha) / (float64(n) + 2*m.alpha))
		}
	}
	best, second := 0, -1
	for c := 1; c < len(scores); c++ {
		switch {
		case scores[c] > scores[best]:
			best, second = c, best
		case second < 0 || scores[c] > scores[second]:
			second = c
		}
	}
	return m.classes[best], scores[best] - scores[second]
}

// labelled is a training mail: its features and its class.
type labelled struct {
	features []string
	class    string
}

// trainWordModel counts the features that at least minDocs of the mails
// have, per class (classes sorted).
func trainWordModel(name string, mails []labelled, alpha float64, minDocs int) *wordModel {
	m := &wordModel{name: name, alpha: alpha, counts: map[string][]int{}}
	seen := map[string]int{}
	for _, l := range mails {
		if _, ok := seen[l.class]; !ok {
			seen[l.class] = 0
			m.classes = append(m.classes, l.class)
		}
		for _, f := range l.features {
			seen["\x00"+f]++
		}
	}
	slices.Sort(m.classes)
	index := map[string]int{}
	for i, c := range m.classes {
		index[c] = i
	}
	m.docs = make([]int, len(m.classes))
	for _, l := range mails {
		c := index[l.class]
		m.docs[c]++
		for _, f := range l.features {
			if seen["\x00"+f] < minDocs {
				continue
			}
			if m.counts[f] == nil {
				m.counts[f] = make([]int, len(m.classes))
			}
			m.counts[f][c]++
		}
	}
	return m
}

// readingModels are the three models of the reading.
type readingModels struct{ reason, kind, auto *wordModel }

// The margins a model must win by before it is believed, in natural log
// units; chosen on the corpora with each corpus left out of the training
// that judged it (docs/mail.md, "The reading model").
const (
	reasonMargin = 20 // a reason where the rules found none
	kindMargin   = 40 // a revocation where the rules read a refund
	autoMargin   = 25 // an automatic reply where the rules saw a person
	// a reason where the rules found none in a reply of replyWords words
	// or more, whose ticket may lack one
	replyReasonMargin = 30
	replyWords        = 30
	// the words a mail's new text must have for the model to call it
	// automatic: on a line or two ("Messages sent here are read by our
	// whole team every day") its margin says little, and the rules know the
	// short away notices
	autoWords = 30
)

// Model classes besides the reasons and kinds: a refund request that gives
// no reason ("not what I expected": the desk asks for one), an automatic
// reply and a person's mail.
const (
	noReasonClass = "none"
	autoClass     = "automatic"
	personClass   = "person"
)

// writeModels writes models in the format parseModels reads: a header line
// per model ("model NAME alpha A classes C1,C2 docs N1,N2"), then a line
// per feature ("FEATURE\tn1 n2 …"), features sorted.
func writeModels(ms ...*wordModel) string {
	var b strings.Builder
	b.WriteString("# The reading model's counts (mail/model.go): written by `make reading-model`, not by hand.\n")
	for _, m := range ms {
		docs := make([]string, len(m.docs))
		for i, n := range m.docs {
			docs[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(&b, "model %s alpha %g classes %s docs %s\n", m.name, m.alpha, strings.Join(m.classes, ","), strings.Join(docs, ","))
		features := make([]string, 0, len(m.counts))
		for f := range m.counts {
			features = append(features, f)
		}
		slices.Sort(features)
		for _, f := range features {
			b.WriteString(f)
			for i, n := range m.counts[f] {
				if i == 0 {
					b.WriteByte('\t')
				} else {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.Itoa(n))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// parseModels reads what writeModels wrote.
func parseModels(text string) (map[string]*wordModel, error) {
	out := map[string]*wordModel{}
	var m *wordModel
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
			continue
		case strings.HasPrefix(l, "model "):
			var name, classes, docs string
			var alpha float64
			if _, err := fmt.Sscanf(l, "model %s alpha %g classes %s docs %s", &name, &alpha, &classes, &docs); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			m = &wordModel{name: name, alpha: alpha, classes: strings.Split(classes, ","), counts: map[string][]int{}}
			for _, d := range strings.Split(docs, ",") {
				n, err := strconv.Atoi(d)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				m.docs = append(m.docs, n)
			}
			if len(m.docs) != len(m.classes) {
				return nil, fmt.Errorf("line %d: %d classes and %d counts of documents", line, len(m.classes), len(m.docs))
			}
			out[name] = m
		default:
			f, counts, ok := strings.Cut(l, "\t")
			if !ok || m == nil {
				return nil, fmt.Errorf("line %d: a feature outside a model", line)
			}
			fields := strings.Fields(counts)
			if len(fields) != len(m.classes) {
				return nil, fmt.Errorf("line %d: %d counts for %d classes", line, len(fields), len(m.classes))
			}
			c := make([]int, len(fields))
			for i, s := range fields {
				n, err := strconv.Atoi(s)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				c[i] = n
			}
			m.counts[f] = c
		}
	}
	return out, sc.Err()
}

// loadModels reads the embedded model; a model file that does not parse
// is a build's mistake, caught by the tests.
func loadModels(text string) readingModels {
	ms, err := parseModels(text)
	if err != nil {
		panic("mail: reading_model.txt: " + err.Error())
	}
	return readingModels{reason: ms["reason"], kind: ms["kind"], auto: ms["auto"]}
}

// shippedModels is the embedded model, read once, when a mail is first
// read (10 ms and 6 MB of allocations: not at every start of the binary).
var shippedModels = sync.OnceValue(func() readingModels { return loadModels(readingModelText) })

// modelAutomatic is the automatic sign of a mail the rules took for a
// person's when the reading model reads it as an automatic reply by
// autoMargin, in autoWords words or more, asking nothing: an away notice or an acknowledgement worded in a way the
// rules do not know. A mail that came back to the desk as a delivery
// report is the rules' alone.
func modelAutomatic(m *Message, models readingModels) AutoSign {
	if m.Bounce != nil || strings.TrimSpace(m.NewText) == "" {
		return AutoSign{}
	}
	if modelWordCount(m.NewText) < autoWords {
		return AutoSign{} // a note of a line or two is the rules' alone
	}
	if c, margin := models.auto.classify(m.modelFeatures()); c == autoClass && margin >= autoMargin && !asksSomething(m.NewText) && !strings.Contains(m.NewText, "?") {
		return AutoSign{Code: AutoWordedModel}
	}
	return AutoSign{}
}
