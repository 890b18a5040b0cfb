# Writes the bytes of INPUT as a char array: a string literal would be limited to the 65,536 characters
# compilers must support (clang warns past it), and the rule files grow past that.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
if(hex_length EQUAL 0)
  set(bytes "0")
  set(size 0)
else()
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  math(EXPR size "${hex_length} / 2")
endif()
file(WRITE "${OUTPUT}" "#include <string_view>\nnamespace mta::embedded {\nnamespace {\nconst char ${SYMBOL}_bytes[] = {${bytes}};\n}\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(${SYMBOL}_bytes, ${size});\n}\n")
