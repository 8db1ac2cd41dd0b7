package dev.dynlog.dwarf;

/** DWARF constants used by the reader (DWARF 5 numbering, plus GNU and Go extensions). */
final class Dw {
  private Dw() {}

  // Tags
  static final int TAG_array_type = 0x01;
  static final int TAG_class_type = 0x02;
  static final int TAG_enumeration_type = 0x04;
  static final int TAG_formal_parameter = 0x05;
  static final int TAG_member = 0x0d;
  static final int TAG_pointer_type = 0x0f;
  static final int TAG_reference_type = 0x10;
  static final int TAG_compile_unit = 0x11;
  static final int TAG_structure_type = 0x13;
  static final int TAG_subroutine_type = 0x15;
  static final int TAG_typedef = 0x16;
  static final int TAG_union_type = 0x17;
  static final int TAG_inheritance = 0x1c;
  static final int TAG_ptr_to_member_type = 0x1f;
  static final int TAG_subrange_type = 0x21;
  static final int TAG_base_type = 0x24;
  static final int TAG_const_type = 0x26;
  static final int TAG_enumerator = 0x28;
  static final int TAG_subprogram = 0x2e;
  static final int TAG_volatile_type = 0x35;
  static final int TAG_restrict_type = 0x37;
  static final int TAG_namespace = 0x39;
  static final int TAG_unspecified_type = 0x3b;
  static final int TAG_rvalue_reference_type = 0x42;
  static final int TAG_atomic_type = 0x47;

  // Attributes
  static final int AT_sibling = 0x01;
  static final int AT_name = 0x03;
  static final int AT_byte_size = 0x0b;
  static final int AT_bit_offset = 0x0c;
  static final int AT_bit_size = 0x0d;
  static final int AT_low_pc = 0x11;
  static final int AT_high_pc = 0x12;
  static final int AT_language = 0x13;
  static final int AT_const_value = 0x1c;
  static final int AT_inline = 0x20;
  static final int AT_lower_bound = 0x22;
  static final int AT_producer = 0x25;
  static final int AT_upper_bound = 0x2f;
  static final int AT_abstract_origin = 0x31;
  static final int AT_artificial = 0x34;
  static final int AT_calling_convention = 0x36;
  static final int AT_count = 0x37;
  static final int AT_data_member_location = 0x38;
  static final int AT_declaration = 0x3c;
  static final int AT_deleted = 0x8a;
  static final int AT_defaulted = 0x8b;
  static final int DEFAULTED_in_class = 1;
  static final int AT_encoding = 0x3e;
  static final int AT_specification = 0x47;
  static final int AT_type = 0x49;
  static final int AT_variable_parameter = 0x4b;
  static final int AT_entry_pc = 0x52;
  static final int AT_ranges = 0x55;
  static final int AT_signature = 0x69;
  static final int AT_data_bit_offset = 0x6b;
  static final int AT_linkage_name = 0x6e;
  static final int AT_export_symbols = 0x89;
  static final int AT_str_offsets_base = 0x72;
  static final int AT_addr_base = 0x73;
  static final int AT_rnglists_base = 0x74;
  static final int AT_loclists_base = 0x8c;
  static final int AT_MIPS_linkage_name = 0x2007;
  static final int AT_GNU_addr_base = 0x2133;
  static final int AT_go_kind = 0x2900;
  static final int AT_go_elem = 0x2902;

  // Forms
  static final int FORM_addr = 0x01;
  static final int FORM_block2 = 0x03;
  static final int FORM_block4 = 0x04;
  static final int FORM_data2 = 0x05;
  static final int FORM_data4 = 0x06;
  static final int FORM_data8 = 0x07;
  static final int FORM_string = 0x08;
  static final int FORM_block = 0x09;
  static final int FORM_block1 = 0x0a;
  static final int FORM_data1 = 0x0b;
  static final int FORM_flag = 0x0c;
  static final int FORM_sdata = 0x0d;
  static final int FORM_strp = 0x0e;
  static final int FORM_udata = 0x0f;
  static final int FORM_ref_addr = 0x10;
  static final int FORM_ref1 = 0x11;
  static final int FORM_ref2 = 0x12;
  static final int FORM_ref4 = 0x13;
  static final int FORM_ref8 = 0x14;
  static final int FORM_ref_udata = 0x15;
  static final int FORM_indirect = 0x16;
  static final int FORM_sec_offset = 0x17;
  static final int FORM_exprloc = 0x18;
  static final int FORM_flag_present = 0x19;
  static final int FORM_strx = 0x1a;
  static final int FORM_addrx = 0x1b;
  static final int FORM_ref_sup4 = 0x1c;
  static final int FORM_strp_sup = 0x1d;
  static final int FORM_data16 = 0x1e;
  static final int FORM_line_strp = 0x1f;
  static final int FORM_ref_sig8 = 0x20;
  static final int FORM_implicit_const = 0x21;
  static final int FORM_loclistx = 0x22;
  static final int FORM_rnglistx = 0x23;
  static final int FORM_ref_sup8 = 0x24;
  static final int FORM_strx1 = 0x25;
  static final int FORM_strx2 = 0x26;
  static final int FORM_strx3 = 0x27;
  static final int FORM_strx4 = 0x28;
  static final int FORM_addrx1 = 0x29;
  static final int FORM_addrx2 = 0x2a;
  static final int FORM_addrx3 = 0x2b;
  static final int FORM_addrx4 = 0x2c;
  static final int FORM_GNU_addr_index = 0x1f01;
  static final int FORM_GNU_str_index = 0x1f02;
  static final int FORM_GNU_ref_alt = 0x1f20;
  static final int FORM_GNU_strp_alt = 0x1f21;

  // Base type encodings
  static final int ATE_address = 0x1;
  static final int ATE_boolean = 0x2;
  static final int ATE_complex_float = 0x3;
  static final int ATE_float = 0x4;
  static final int ATE_signed = 0x5;
  static final int ATE_signed_char = 0x6;
  static final int ATE_unsigned = 0x7;
  static final int ATE_unsigned_char = 0x8;
  static final int ATE_UTF = 0x10;

  // Go kinds (reflect.Kind) in DW_AT_go_kind
  static final int GO_CHAN = 18;
  static final int GO_INTERFACE = 20;
  static final int GO_MAP = 21;
  static final int GO_SLICE = 23;
  static final int GO_STRING = 24;

  // Languages
  static final int LANG_GO = 0x16;
}
