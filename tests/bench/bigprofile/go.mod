module flarewatch.test/bigprofile

go 1.19
