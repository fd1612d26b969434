dir d 0700 0:0 
dir/file d 0755 5:6 
link d 0755 0:0 
