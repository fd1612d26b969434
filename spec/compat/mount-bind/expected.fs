after-list f 0644 0:0 2 092fcfbbcfca3b5b
after-rw f 0644 0:0 8 1dd2ea3b7ca26a61
ctx-read f 0644 0:0 8 1dd2ea3b7ca26a61
rw-list f 0644 0:0 6 899bf185f1a69459
stage-read f 0644 0:0 10 5abd0704a258a8a3
whole-list f 0644 0:0 2 092fcfbbcfca3b5b
