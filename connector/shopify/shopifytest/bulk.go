package shopifytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// bulkOp is the shop's current bulk query.
type bulkOp struct {
	seq       int
	query     string
	status    string
	polls     int
	createdAt time.Time
	completed time.Time
	snapshot  []*rec
	nodeSel   ast.SelectionSet
	frags     ast.FragmentDefinitionList
	roots     int
	objects   int
}

func (b *bulkOp) gid() string { return "gid://shopify/BulkOperation/" + strconv.Itoa(b.seq) }

func (b *bulkOp) file() string { return "export-" + strconv.Itoa(b.seq) + ".jsonl" }

func userErrors(code, msg string) map[string]any {
	return map[string]any{"bulkOperation": nil, "userErrors": []map[string]any{{"field": []any{"query"}, "message": msg, "code": code}}}
}

// runBulk starts an export of the query's one root connection; call with
// s.mu held.
func (s *Server) runBulk(q string) map[string]any {
	if b := s.bulk; b != nil && (b.status == "CREATED" || b.status == "RUNNING") {
		return userErrors("OPERATION_IN_PROGRESS", "A bulk query operation for this app and shop is already in progress: "+b.gid()+".")
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "bulk", Input: q})
	if err != nil {
		return userErrors("INVALID", "Invalid bulk query: "+err.Error())
	}
	if s.schema != nil {
		if errs := validator.ValidateWithRules(s.schema, doc, nil); len(errs) > 0 {
			return userErrors("INVALID", "Invalid bulk query: "+errs.Error())
		}
	}
	x := &exec{frags: doc.Fragments}
	roots := x.fields(doc.Operations[0].SelectionSet)
	if len(doc.Operations) != 1 || len(roots) != 1 || s.shop.table(roots[0].Name) == nil {
		return userErrors("INVALID", "Bulk queries must contain exactly one of customers, orders or products at the root.")
	}
	if _, err := s.rootPage(s.shop.table(roots[0].Name), x.args(roots[0]), false); err != nil {
		return userErrors("INVALID", "Invalid bulk query: "+err.Error())
	}
	s.bulkSeq++
	s.stats.BulkRuns++
	b := &bulkOp{seq: s.bulkSeq, query: q, status: "CREATED", createdAt: s.o.Now().UTC().Truncate(time.Second),
		nodeSel: nodeSelection(x, roots[0].SelectionSet), frags: doc.Fragments}
	b.snapshot = append([]*rec(nil), s.shop.table(roots[0].Name).recs...)
	s.bulk = b
	return map[string]any{"bulkOperation": s.bulkData(b), "userErrors": []any{}}
}

// nodeSelection finds the per-node selection under edges { node } or nodes.
func nodeSelection(x *exec, sel ast.SelectionSet) ast.SelectionSet {
	for _, f := range x.fields(sel) {
		switch f.Name {
		case "nodes":
			return f.SelectionSet
		case "edges":
			for _, e := range x.fields(f.SelectionSet) {
				if e.Name == "node" {
					return e.SelectionSet
				}
			}
		}
	}
	return nil
}

// pollBulk answers currentBulkOperation, finishing the export after
// Options.BulkPolls polls; call with s.mu held.
func (s *Server) pollBulk() any {
	b := s.bulk
	if b == nil {
		return nil
	}
	if b.status == "CREATED" || b.status == "RUNNING" {
		b.polls++
		b.status = "RUNNING"
		if b.polls > s.o.BulkPolls {
			s.complete(b)
		}
	}
	return s.bulkData(b)
}

func (s *Server) complete(b *bulkOp) {
	b.status, b.completed, b.roots = "COMPLETED", s.o.Now().UTC(), len(b.snapshot)
	b.objects = b.roots
	x := &exec{frags: b.frags}
	for _, f := range x.fields(b.nodeSel) {
		if f.Name == "lineItems" {
			for _, r := range b.snapshot {
				b.objects += len(r.lines)
			}
		}
	}
}

func (s *Server) bulkData(b *bulkOp) map[string]any {
	d := map[string]any{
		"__typename": "BulkOperation", "id": b.gid(), "status": b.status, "query": b.query, "type": "QUERY",
		"createdAt": b.createdAt.Format(stamp), "completedAt": nil, "errorCode": nil, "url": nil,
		"partialDataUrl": nil, "objectCount": "0", "rootObjectCount": "0", "fileSize": nil,
	}
	if b.status == "COMPLETED" {
		d["completedAt"] = b.completed.Format(stamp)
		d["objectCount"], d["rootObjectCount"] = strconv.Itoa(b.objects), strconv.Itoa(b.roots)
		if b.roots > 0 {
			d["url"] = s.URL + "/bulk/" + b.file()
		}
	}
	return d
}

// download streams the export: one JSON object per line, nested
// connection nodes on their own lines after their parent with __parentId.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b := s.bulk
	s.mu.Unlock()
	if b == nil || b.status != "COMPLETED" || r.PathValue("file") != b.file() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	bw := bufio.NewWriterSize(w, 256<<10)
	x := &exec{frags: b.frags}
	for _, rc := range b.snapshot {
		if err := x.bulkLines(bw, rc.data, b.nodeSel, ""); err != nil {
			return
		}
	}
	_ = bw.Flush()
}

func (x *exec) bulkLines(w *bufio.Writer, src map[string]any, sel ast.SelectionSet, parent string) error {
	out := make(obj, 0, len(sel)+1)
	type child struct {
		items connVal
		sel   ast.SelectionSet
	}
	var children []child
	for _, f := range x.fields(sel) {
		if c, ok := src[f.Name].(connVal); ok {
			children = append(children, child{c, nodeSelection(x, f.SelectionSet)})
			continue
		}
		out = append(out, kv{key(f), x.value(src[f.Name], f)})
	}
	if parent != "" {
		out = append(out, kv{"__parentId", parent})
	}
	line, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encode line: %w", err)
	}
	w.Write(line)
	if err := w.WriteByte('\n'); err != nil {
		return err
	}
	id, _ := src["id"].(string)
	for _, c := range children {
		for _, item := range c.items {
			if err := x.bulkLines(w, item, c.sel, id); err != nil {
				return err
			}
		}
	}
	return nil
}
