/* opcodes.c - the instruction table generated from GS_OPCODES. */
#include <string.h>

#include "names.h"
#include "opcodes.h"

#define GS_NOPERANDS(a, b) ((GS_OPND_##a != GS_OPND_NONE) + (GS_OPND_##b != GS_OPND_NONE))

const gs_opinfo gs_opinfo_table[GS_OP_COUNT] = {
#define GS_OP_INFO(e, name, a, b, pops, pushes, meaning) \
    [GS_OP_##e] = {name, {GS_OPND_##a, GS_OPND_##b}, GS_NOPERANDS(a, b), pops, pushes, meaning},
    GS_OPCODES(GS_OP_INFO)
#undef GS_OP_INFO
};

const char *const gs_io_kind_names[GS_IO_KIND_COUNT] = {
#define GS_IO_NAME(e, name, meaning) [GS_IO_##e] = name,
    GS_IOKINDS(GS_IO_NAME)
#undef GS_IO_NAME
};

int gs_opcode_by_name(const char *name, size_t len)
{
    return gs_name_find(&gs_opinfo_table[0].name, sizeof gs_opinfo_table[0], GS_OP_COUNT, name, len);
}

int gs_io_kind_by_name(const char *name, size_t len)
{
    return gs_name_find(gs_io_kind_names, sizeof gs_io_kind_names[0], GS_IO_KIND_COUNT, name, len);
}
