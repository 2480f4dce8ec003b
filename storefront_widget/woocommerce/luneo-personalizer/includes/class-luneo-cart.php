<?php
/**
 * The design through cart, checkout and order: the id as hidden order item meta
 * (``_luneo_design``, read by Luneo's order sync), the surcharge charged and its currency as
 * hidden meta (``_luneo_surcharge``, ``_luneo_currency``), the summary and the design's
 * properties as visible meta, and the preview picture in the cart, at checkout, on the order
 * pages and in the order e-mails.
 *
 * Only the design id comes from the browser; it is checked with Luneo (server to server), and
 * the summary, properties, price and preview link kept are Luneo's, never posted ones. When
 * Luneo cannot confirm the design (down, unknown design, no usable price) the add to cart is
 * refused: a personalized line is never added at the base price.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * Cart and order integration.
 */
class Luneo_Cart {

	const DESIGN_FIELD  = 'luneo_design';
	const SUMMARY_FIELD = 'luneo_summary';
	const ITEM_KEY      = 'luneo';

	/**
	 * The design id a Store API add-item request named (``luneo_design`` in its JSON body: a
	 * headless storefront's cart, Luneo's JavaScript SDK ``wooAddItemBody``), for this request.
	 *
	 * @var string|null
	 */
	private static $store_api_design = null;

	/**
	 * Hook cart, checkout, order and e-mail.
	 */
	public static function init() {
		add_filter( 'woocommerce_add_to_cart_validation', array( __CLASS__, 'validate' ), 10, 2 );
		add_filter( 'woocommerce_add_cart_item_data', array( __CLASS__, 'add_cart_item_data' ), 10, 2 );
		add_filter( 'woocommerce_store_api_add_to_cart_data', array( __CLASS__, 'store_api_add_to_cart_data' ), 10, 2 );
		add_filter( 'woocommerce_get_item_data', array( __CLASS__, 'item_data' ), 10, 2 );
		add_filter( 'woocommerce_cart_item_thumbnail', array( __CLASS__, 'cart_thumbnail' ), 10, 2 );
		add_action( 'woocommerce_checkout_create_order_line_item', array( __CLASS__, 'order_line_item' ), 10, 3 );
		add_action( 'woocommerce_order_item_meta_end', array( __CLASS__, 'order_item_preview' ), 10, 4 );
		add_filter( 'woocommerce_hidden_order_itemmeta', array( __CLASS__, 'hidden_meta' ) );
		Luneo_Price::init();
	}

	/**
	 * The design id posted with the add-to-cart form: '' when none, 'invalid' when malformed.
	 * WooCommerce's add-to-cart form has no nonce (it must work for cached pages); the id is
	 * trusted only after Luneo confirmed it belongs to this store.
	 */
	private static function posted_design() {
		if ( null !== self::$store_api_design ) {
			$raw = self::$store_api_design;
			return Luneo_Api::is_design_id( $raw ) ? $raw : ( '' === $raw ? '' : 'invalid' );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WooCommerce's add-to-cart form carries no nonce; the id is verified with Luneo instead.
		$raw = isset( $_POST[ self::DESIGN_FIELD ] ) ? sanitize_text_field( wp_unslash( $_POST[ self::DESIGN_FIELD ] ) ) : '';
		return Luneo_Api::is_design_id( $raw ) ? $raw : ( '' === $raw ? '' : 'invalid' );
	}

	/**
	 * WooCommerce's Store API (``POST /wc/store/v1/cart/add-item``, what a headless storefront's
	 * cart calls) has no form post: the design id comes as ``luneo_design`` in the request's JSON
	 * and is checked with Luneo exactly like the form's, by ``add_cart_item_data``, whose refusal
	 * the Store API answers as an error with its message.
	 *
	 * @param array $data    What the Store API adds (id, quantity, variation, cart_item_data).
	 * @param mixed $request The WP_REST_Request.
	 */
	public static function store_api_add_to_cart_data( $data, $request ) {
		$raw = is_object( $request ) && method_exists( $request, 'get_param' ) ? $request->get_param( 'luneo_design' ) : null;
		self::$store_api_design = is_string( $raw ) ? sanitize_text_field( $raw ) : ( null === $raw ? '' : 'invalid' );
		return $data;
	}

	/**
	 * The refusal of an add to cart: the Store API's own exception (its message and a 400) when
	 * the request came through the Store API, else the Exception WC_Cart::add_to_cart turns into
	 * a notice.
	 *
	 * @param string $message What the shopper reads.
	 * @return Exception
	 */
	private static function refusal( $message ) {
		$route_exception = 'Automattic\\WooCommerce\\StoreApi\\Exceptions\\RouteException';
		if ( null !== self::$store_api_design && class_exists( $route_exception ) ) {
			return new $route_exception( 'luneo_design_refused', $message, 400 );
		}
		return new Exception( $message );
	}

	/**
	 * Refuse an add to cart whose design Luneo does not confirm for this store, with a price
	 * this store can charge.
	 *
	 * @param bool $passed     Result so far.
	 * @param int  $product_id Product being added.
	 */
	public static function validate( $passed, $product_id ) {
		$design_id = self::posted_design();
		if ( ! $passed || '' === $design_id ) {
			return $passed;
		}
		$confirmed = self::confirmed( $design_id, $product_id );
		if ( is_wp_error( $confirmed ) ) {
			wc_add_notice( esc_html( $confirmed->get_error_message() ), 'error' );
			return false;
		}
		return $passed;
	}

	/**
	 * Carry the design into the cart line (a different design makes a different line), with
	 * Luneo's price and properties. Throwing here makes WooCommerce refuse the add to cart
	 * with the message (WC_Cart::add_to_cart), for paths that skipped the validation filter.
	 *
	 * @param array $data       Cart item data.
	 * @param int   $product_id Product being added.
	 * @throws Exception When the posted design cannot be confirmed.
	 */
	public static function add_cart_item_data( $data, $product_id ) {
		$design_id = self::posted_design();
		if ( '' === $design_id ) {
			return $data;
		}
		$confirmed = self::confirmed( $design_id, $product_id );
		if ( is_wp_error( $confirmed ) ) {
			throw self::refusal( esc_html( $confirmed->get_error_message() ) );
		}
		list( $design, $price ) = $confirmed;
		$data[ self::ITEM_KEY ] = array(
			'design_id'  => $design_id,
			'summary'    => isset( $design['summary'] ) ? sanitize_text_field( (string) $design['summary'] ) : '',
			'preview'    => isset( $design['preview_url'] ) ? esc_url_raw( (string) $design['preview_url'] ) : '',
			'product'    => absint( $product_id ),
			'price'      => $price,
			'properties' => Luneo_Price::properties( $design ),
		);
		return $data;
	}

	/**
	 * The design as Luneo has it and its price in the store's currency: array( design, price ),
	 * or a WP_Error whose message tells the shopper what happened and what to do. The design
	 * must have been made with this product's template: another product's design (and price)
	 * is refused.
	 *
	 * @param string $design_id  The posted id ('invalid' when malformed).
	 * @param int    $product_id The product being added (the parent of a variation).
	 * @return array|WP_Error
	 */
	public static function confirmed( $design_id, $product_id ) {
		$design = Luneo_Api::design( $design_id );
		if ( is_wp_error( $design ) ) {
			$code = $design->get_error_code();
			if ( 'luneo_bad_design' === $code || 'luneo_http_404' === $code ) {
				return new WP_Error( $code, __( 'Your personalization could not be confirmed. Please open the editor and add it to the cart again.', 'luneo-personalizer' ) );
			}
			return new WP_Error( $code, Luneo_Price::unavailable_message() );
		}
		$made_with = isset( $design['template_id'] ) && is_int( $design['template_id'] ) ? $design['template_id'] : 0;
		$template  = Luneo_Api::template_id( $product_id );
		if ( ! is_wp_error( $template ) && $template !== $made_with ) {
			$template = Luneo_Api::template_id( $product_id, true );
		}
		if ( is_wp_error( $template ) ) {
			if ( 'luneo_http_404' === $template->get_error_code() ) {
				return new WP_Error( 'luneo_not_customizable', __( 'This product cannot be personalized any more.', 'luneo-personalizer' ) );
			}
			return new WP_Error( $template->get_error_code(), Luneo_Price::unavailable_message() );
		}
		if ( $template !== $made_with ) {
			return new WP_Error( 'luneo_other_product', __( 'This personalization was made for another product. Please open the editor on this product and add it to the cart again.', 'luneo-personalizer' ) );
		}
		$price = Luneo_Price::from_design( $design );
		return is_wp_error( $price ) ? $price : array( $design, $price );
	}

	/**
	 * Under the line in cart and checkout: the design's properties ("Name: Anna") or, for a
	 * design without any, its summary ("Personalization: Front — 'Happy birthday Anna'"); then
	 * the surcharge ("Personalization: +€4.00").
	 *
	 * @param array $item_data Lines shown under the product name.
	 * @param array $cart_item The cart item.
	 */
	public static function item_data( $item_data, $cart_item ) {
		if ( empty( $cart_item[ self::ITEM_KEY ] ) || ! is_array( $cart_item[ self::ITEM_KEY ] ) ) {
			return $item_data;
		}
		$luneo      = $cart_item[ self::ITEM_KEY ];
		$properties = isset( $luneo['properties'] ) && is_array( $luneo['properties'] ) ? $luneo['properties'] : array();
		foreach ( $properties as $label => $value ) {
			$item_data[] = array(
				'key'     => esc_html( (string) $label ),
				'value'   => (string) $value,
				'display' => esc_html( (string) $value ),
			);
		}
		if ( ! $properties && ! empty( $luneo['summary'] ) ) {
			$item_data[] = array(
				'key'   => __( 'Personalization', 'luneo-personalizer' ),
				'value' => $luneo['summary'],
			);
		}
		$surcharge = Luneo_Price::item_data( $cart_item );
		if ( null !== $surcharge ) {
			$item_data[] = $surcharge;
		}
		return $item_data;
	}

	/**
	 * The design's preview instead of the product photo, in the cart and the mini-cart.
	 *
	 * @param string $thumbnail The product image HTML.
	 * @param array  $cart_item The cart item.
	 */
	public static function cart_thumbnail( $thumbnail, $cart_item ) {
		if ( empty( $cart_item[ self::ITEM_KEY ]['preview'] ) ) {
			return $thumbnail;
		}
		return self::preview_img( $cart_item[ self::ITEM_KEY ]['preview'], 'attachment-woocommerce_thumbnail size-woocommerce_thumbnail' );
	}

	/**
	 * Copy the design onto the order line: hidden id, preview, surcharge and its currency
	 * (Luneo's order sync compares the surcharge with the design's price); visible properties
	 * and summary.
	 *
	 * @param WC_Order_Item_Product $item          The new order line.
	 * @param string                $cart_item_key Its cart key.
	 * @param array                 $values        The cart item.
	 */
	public static function order_line_item( $item, $cart_item_key, $values ) {
		if ( empty( $values[ self::ITEM_KEY ]['design_id'] ) ) {
			return;
		}
		$design = $values[ self::ITEM_KEY ];
		$item->add_meta_data( LUNEO_DESIGN_META, $design['design_id'], true );
		if ( ! empty( $design['preview'] ) ) {
			$item->add_meta_data( LUNEO_PREVIEW_META, $design['preview'], true );
		}
		$price = Luneo_Price::stored( $values );
		if ( null !== $price ) {
			$item->add_meta_data( LUNEO_SURCHARGE_META, $price['total'], true );
			$item->add_meta_data( LUNEO_CURRENCY_META, $price['currency'], true );
		}
		$summary_key = __( 'Personalization', 'luneo-personalizer' );
		$properties  = isset( $design['properties'] ) && is_array( $design['properties'] ) ? $design['properties'] : array();
		foreach ( $properties as $label => $value ) {
			if ( $summary_key !== $label ) {
				$item->add_meta_data( (string) $label, (string) $value, true );
			}
		}
		if ( ! empty( $design['summary'] ) ) {
			$item->add_meta_data( $summary_key, $design['summary'], true );
		}
	}

	/**
	 * The preview under the line on the thank-you page, My account and the order e-mails.
	 *
	 * @param int                   $item_id    Order item id.
	 * @param WC_Order_Item_Product $item       The order line.
	 * @param WC_Order              $order      The order.
	 * @param bool                  $plain_text Whether this is a plain-text e-mail.
	 */
	public static function order_item_preview( $item_id, $item, $order, $plain_text = false ) {
		$preview = (string) $item->get_meta( LUNEO_PREVIEW_META, true );
		if ( '' === $preview ) {
			return;
		}
		if ( $plain_text ) {
			echo "\n" . esc_html__( 'Preview:', 'luneo-personalizer' ) . ' ' . esc_url_raw( $preview ) . "\n";
			return;
		}
		// Large enough to read, and a link to the full picture (the thank-you page, My account, e-mails).
		$link = '<a href="' . esc_url( $preview ) . '" target="_blank" rel="noopener" title="' . esc_attr__( 'Open your personalization full size', 'luneo-personalizer' ) . '">' . self::preview_img( $preview, 'luneo-preview', 200 ) . '</a>';
		echo '<div class="luneo-order-preview" style="margin-top:8px">' . $link . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built with esc_url/esc_attr here and in preview_img().
		self::edit_link( $item_id, $order );
	}

	/**
	 * "Edit your design" under a personalised line of the thank-you and My account order pages,
	 * while Luneo says the design may still change (the e-mail Luneo sends carries the same link).
	 *
	 * @param int      $item_id The order line item id.
	 * @param WC_Order $order   The order.
	 */
	private static function edit_link( $item_id, $order ) {
		$on_order_page = ( function_exists( 'is_order_received_page' ) && is_order_received_page() )
			|| ( function_exists( 'is_view_order_page' ) && is_view_order_page() );
		if ( ! $on_order_page || ! $order instanceof WC_Order ) {
			return;
		}
		$lines = Luneo_Api::order_edits( $order );
		$line  = isset( $lines[ (string) $item_id ] ) ? $lines[ (string) $item_id ] : null;
		if ( ! is_array( $line ) || empty( $line['open'] ) ) {
			return;
		}
		echo '<p class="luneo-order-edit" style="margin-top:4px"><a href="' . esc_url( $line['url'] ) . '" rel="noopener noreferrer">' . esc_html__( 'Edit your design', 'luneo-personalizer' ) . '</a></p>';
	}

	/**
	 * Hide the preview link, the surcharge and its currency from the admin's item meta list
	 * (the design id stays listed: the merchant looks it up in Luneo).
	 *
	 * @param array $hidden Meta keys WooCommerce does not list.
	 */
	public static function hidden_meta( $hidden ) {
		$hidden[] = LUNEO_PREVIEW_META;
		$hidden[] = LUNEO_SURCHARGE_META;
		$hidden[] = LUNEO_CURRENCY_META;
		return $hidden;
	}

	/**
	 * An escaped <img> of a preview, sized for e-mail clients too.
	 *
	 * @param string $url   The preview link.
	 * @param string $class CSS classes.
	 * @param int    $width Its width in pixels.
	 */
	private static function preview_img( $url, $class, $width = 120 ) {
		return sprintf(
			'<img src="%1$s" alt="%2$s" class="%3$s" width="%4$d" style="max-width:%4$dpx;height:auto;border:1px solid #e5e7eb;border-radius:4px" loading="lazy">',
			esc_url( $url ),
			esc_attr__( 'Your personalization', 'luneo-personalizer' ),
			esc_attr( $class ),
			absint( $width )
		);
	}
}
