// helm-template renders a Helm chart the way `helm template` does, for machines where Helm itself cannot be
// installed (it ships as a release download): the same engine, Go's text/template with the Sprig function
// library Helm uses (Debian: golang-github-masterminds-sprig-dev) plus Helm's own functions (include, tpl,
// required, fail, toYaml, fromYaml, toJson, fromJson, lookup), values coalesced like Helm's (the chart's
// values.yaml, then each -f file over it, null deleting a key), and .Release, .Chart, .Capabilities,
// .Template. Files under templates/ starting with "_" only define templates; NOTES.txt is not a manifest.
//
// Build (GOPATH mode, Debian's Go packages, no download):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-template scripts/helm-template/main.go
//
// Usage: helm-template [-f values.yaml]... [--release NAME] [--namespace NS] [--values-out FILE] CHART_DIR
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func readYAML(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out, nil
}

// mergeMaps: b over a, recursively for maps (how Helm merges several -f files).
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]interface{}); ok {
			if av, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce: the user's values over the chart's defaults; a null user value removes the key (Helm's rule).
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(defaults))
	for k, dv := range defaults {
		uv, given := user[k]
		switch {
		case !given:
			out[k] = dv
		case uv == nil:
			// deleted
		default:
			um, uok := uv.(map[string]interface{})
			dm, dok := dv.(map[string]interface{})
			if uok && dok {
				out[k] = coalesce(um, dm)
			} else {
				out[k] = uv
			}
		}
	}
	for k, uv := range user {
		if _, known := defaults[k]; !known && uv != nil {
			out[k] = uv
		}
	}
	return out
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

type renderer struct {
	root *template.Template
}

func (r *renderer) funcs() template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these: a chart must not read the environment of whoever renders it.
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		if err := r.root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := r.root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	// No cluster to look anything up in: what `helm template` returns too.
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}

func chartMeta(dir string) (map[string]interface{}, error) {
	raw, err := readYAML(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	// .Chart fields are Helm's Go struct names: name → Name, appVersion → AppVersion.
	meta := map[string]interface{}{}
	for k, v := range raw {
		meta[strings.ToUpper(k[:1])+k[1:]] = v
	}
	if meta["Name"] == nil || meta["Version"] == nil {
		return nil, fmt.Errorf("%s/Chart.yaml: name and version are required", dir)
	}
	return meta, nil
}

func main() {
	var files valueFiles
	flag.Var(&files, "f", "a values file (repeatable; later ones win)")
	release := flag.String("release", "release-name", "the release name")
	namespace := flag.String("namespace", "default", "the release namespace")
	valuesOut := flag.String("values-out", "", "also write the coalesced values as JSON to this file")
	kubeVersion := flag.String("kube-version", "v1.30.0", "the Kubernetes version .Capabilities reports")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-template [-f values.yaml]... [--release NAME] [--namespace NS] CHART_DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), files, *release, *namespace, *valuesOut, *kubeVersion); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(dir string, files []string, release, namespace, valuesOut, kubeVersion string) error {
	meta, err := chartMeta(dir)
	if err != nil {
		return err
	}
	defaults, err := readYAML(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return err
	}
	user := map[string]interface{}{}
	for _, f := range files {
		v, err := readYAML(f)
		if err != nil {
			return err
		}
		user = mergeMaps(user, v)
	}
	values := coalesce(user, defaults)
	if valuesOut != "" {
		if err := os.WriteFile(valuesOut, []byte(toJSON(values)), 0o644); err != nil {
			return err
		}
	}

	name := fmt.Sprint(meta["Name"])
	r := &renderer{}
	r.root = template.New("chart").Option("missingkey=zero")
	r.root.Funcs(r.funcs())
	paths, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		return err
	}
	sort.Strings(paths)
	var targets []string
	for _, p := range paths {
		base := filepath.Base(p)
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			continue
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		tname := name + "/templates/" + base
		if _, err := r.root.New(tname).Parse(string(text)); err != nil {
			return err
		}
		if !strings.HasPrefix(base, "_") && base != "NOTES.txt" {
			targets = append(targets, tname)
		}
	}

	major, minor := "1", "30"
	if parts := strings.SplitN(strings.TrimPrefix(kubeVersion, "v"), ".", 3); len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	top := map[string]interface{}{
		"Values":  values,
		"Chart":   meta,
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": kubeVersion, "GitVersion": kubeVersion, "Major": major, "Minor": minor},
			"APIVersions": []string{"v1", "apps/v1"},
		},
	}
	var out bytes.Buffer
	for _, t := range targets {
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": t, "BasePath": name + "/templates"}
		var buf bytes.Buffer
		if err := r.root.ExecuteTemplate(&buf, t, data); err != nil {
			return err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", t, strings.TrimRight(text, "\n"))
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}
