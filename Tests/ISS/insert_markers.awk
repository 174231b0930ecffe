# Inserts HK_ISS_MARK(k) before the k-th kernel call of <name>_invoke in a
# generated <name>_model.c (each call follows a "/* operator N: OP */" line),
# includes harken/hk_marker.h, and writes "k<TAB>operator N: OP -> function"
# lines to the file named by -v names=FILE.
#   awk -v names=markers.txt -f insert_markers.awk model.c > model_marked.c
/^#include <harken\/hk_kernels.h>/ {
    print
    print "#include <harken/hk_marker.h>"
    next
}
/^void [A-Za-z0-9_]*_invoke\(void\) \{/ { in_invoke = 1 }
in_invoke && /^[ \t]*\/\* operator [0-9]+: [A-Z0-9_]+ \*\/[ \t]*$/ {
    label = $0
    sub(/^[ \t]*\/\* /, "", label)
    sub(/ \*\/[ \t]*$/, "", label)
    print "    HK_ISS_MARK(" k + 0 ");"
    print
    want_call = 1
    next
}
want_call {
    fn = $0
    sub(/^[ \t]*/, "", fn)
    sub(/\(.*/, "", fn)
    printf "%d\t%s -> %s\n", k, label, fn > names
    k++
    want_call = 0
}
/^}/ { in_invoke = 0 }
{ print }
