function flush() { if (hasz) { n[comm " | " (jf==""?"(none)":jf)]++ } }
/^[^ \t]/ { flush(); comm=$1; hasz=0; jf=""; next }
/clear_page_erms/ { hasz=1; next }
hasz && jf=="" && /io\.quiver|org\.roaring|java\.util|org\.lmdbjava|jnr/ { l=$0; sub(/^[ \t]+[0-9a-f]+ /,"",l); sub(/\(\/tmp.*$/,"",l); jf=l }
END { flush(); for (k in n) print n[k], k }
