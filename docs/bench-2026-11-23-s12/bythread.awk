# per sample: thread name (first token(s) before tid) and top frame's symbol class
/^[^ \t]/ { if (have) out(); split($0,a," "); comm=a[1]; if (a[2] !~ /^[0-9]+$/) comm=comm"_"a[2]; have=1; top=""; next }
have && top=="" && NF>=2 { l=$0; sub(/^[ \t]+[0-9a-f]+ /,"",l); sub(/ \(.*$/,"",l); top=l; next }
END { if (have) out(); for (k in n) print n[k], k }
function out() { key=comm " | " top; n[key]++; have=0 }
